package io.meridian.platform.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with the JDK's provider: {@link #seal} gives base64 of a random 12-byte nonce followed by the ciphertext
 * and its tag, bound to a context string (associated data) so that a sealed value cannot be replayed where another
 * context is expected; {@link #open} reverses it and fails on any change. For secrets at rest (auth-service's signing
 * keys) and for secrets in transit through durable places (one-time links on their way to email-service, ADR 0011).
 */
public final class Sealer {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    private Sealer(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("a sealing key is 32 bytes (base64 of 32 random bytes)");
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    /** A sealer for the base64 of 32 bytes (for example {@code openssl rand -base64 32}). */
    public static Sealer ofBase64(String key, String what) {
        try {
            return new Sealer(Base64.getDecoder().decode(key.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(what + " must be the base64 of 32 random bytes", e);
        }
    }

    public String seal(byte[] plain, String context) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not seal", e);
        }
    }

    public String seal(String plain, String context) {
        return seal(plain.getBytes(StandardCharsets.UTF_8), context);
    }

    /** The plain bytes; throws {@link IllegalArgumentException} when the value was not sealed with this key and context. */
    public byte[] open(String sealed, String context) {
        try {
            byte[] blob = Base64.getDecoder().decode(sealed);
            if (blob.length < 12 + 16) {
                throw new IllegalArgumentException("not a sealed value");
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, blob, 0, 12));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(blob, 12, blob.length - 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the sealed value does not open with this key and context", e);
        }
    }

    public String openString(String sealed, String context) {
        return new String(open(sealed, context), StandardCharsets.UTF_8);
    }
}
