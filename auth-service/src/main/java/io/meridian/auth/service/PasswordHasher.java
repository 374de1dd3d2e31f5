package io.meridian.auth.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import io.meridian.auth.config.AuthConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Argon2id password hashes (Bouncy Castle) in the PHC string format, with parameters from configuration. A hash
 * made with other parameters still verifies and is reported as needing a rehash.
 */
@ApplicationScoped
public class PasswordHasher {

    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final int memoryKib;
    private final int iterations;
    private final int parallelism;
    /** Verified against when the account does not exist, so that both answers take as long. */
    private final String decoy;

    private final Timer timer;

    PasswordHasher(AuthConfig config, MeterRegistry registry) {
        this.timer = Timer.builder("meridian.auth.password.hash")
                .description("Time to compute one Argon2id hash (hashing or verifying)").register(registry);
        this.memoryKib = config.passwords().argon2MemoryKib();
        this.iterations = config.passwords().argon2Iterations();
        this.parallelism = config.passwords().argon2Parallelism();
        this.decoy = hash(Secrets.newToken());
    }

    public String hash(String password) {
        byte[] salt = Secrets.randomBytes(SALT_BYTES);
        byte[] hash = argon2(password, salt, memoryKib, iterations, parallelism, HASH_BYTES);
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "$"
                + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    public boolean verify(String password, String encoded) {
        Parsed parsed = Parsed.of(encoded);
        if (parsed == null) {
            return false;
        }
        byte[] actual = argon2(password, parsed.salt, parsed.memory, parsed.iterations, parsed.parallelism,
                parsed.hash.length);
        return MessageDigest.isEqual(actual, parsed.hash);
    }

    /** Spends the time of one verification, for an account that does not exist. */
    public void verifyDecoy(String password) {
        verify(password, decoy);
    }

    public boolean needsRehash(String encoded) {
        Parsed parsed = Parsed.of(encoded);
        return parsed == null || parsed.memory != memoryKib || parsed.iterations != iterations
                || parsed.parallelism != parallelism;
    }

    private byte[] argon2(String password, byte[] salt, int memory, int iterations, int parallelism, int length) {
        return timer.record(() -> compute(password, salt, memory, iterations, parallelism, length));
    }

    private static byte[] compute(String password, byte[] salt, int memory, int iterations, int parallelism, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memory).withIterations(iterations).withParallelism(parallelism)
                .withSalt(salt).build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }

    private record Parsed(int memory, int iterations, int parallelism, byte[] salt, byte[] hash) {

        static Parsed of(String encoded) {
            if (encoded == null) {
                return null;
            }
            String[] parts = encoded.split("\\$");
            // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
            if (parts.length != 6 || !"argon2id".equals(parts[1]) || !"v=19".equals(parts[2])) {
                return null;
            }
            try {
                int m = 0;
                int t = 0;
                int p = 0;
                for (String param : parts[3].split(",")) {
                    int value = Integer.parseInt(param.substring(2));
                    switch (param.charAt(0)) {
                        case 'm' -> m = value;
                        case 't' -> t = value;
                        case 'p' -> p = value;
                        default -> {
                            return null;
                        }
                    }
                }
                return new Parsed(m, t, p, B64D.decode(parts[4]), B64D.decode(parts[5]));
            } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
                return null;
            }
        }
    }
}
