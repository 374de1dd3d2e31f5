package io.meridian.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * An RSA key pair made for one test run and written as PEM files. Services under {@code %test} trust the public
 * key; {@link Tokens} signs with the private one. Nothing is kept in the repository.
 */
public record TestKeys(Path privateKeyPem, Path publicKeyPem) {

    public static TestKeys generate(Path dir) {
        return generate(dir, "test");
    }

    /** A key pair in {@code <name>-signing-key.pem} and {@code <name>-verification-key.pem}. */
    public static TestKeys generate(Path dir, String name) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Path privatePem = dir.resolve(name + "-signing-key.pem");
            Path publicPem = dir.resolve(name + "-verification-key.pem");
            Files.writeString(privatePem, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(publicPem, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            return new TestKeys(privatePem, publicPem);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
