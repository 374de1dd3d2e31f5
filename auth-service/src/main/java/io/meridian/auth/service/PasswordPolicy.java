package io.meridian.auth.service;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.meridian.auth.config.AuthConfig;
import io.meridian.platform.problem.ProblemException;

/**
 * Which passwords are accepted: 12 to 128 characters (configurable), not one of the 30,000 most common passwords
 * (the list that ships with zxcvbn4j, MIT licence), and not the account's own email.
 */
@ApplicationScoped
public class PasswordPolicy {

    private static final String COMMON_PASSWORDS = "/com/nulabinc/zxcvbn/matchers/dictionaries/passwords.txt";

    private final int minLength;
    private final int maxLength;
    private final Set<String> common;

    PasswordPolicy(AuthConfig config) {
        this.minLength = config.passwords().minLength();
        this.maxLength = config.passwords().maxLength();
        this.common = load();
    }

    /** Throws a 400 validation problem naming {@code field} when the password is not acceptable. */
    public void check(String field, String password, String email) {
        String problem = problemWith(password, email);
        if (problem != null) {
            throw ProblemException.invalidField(field, problem);
        }
    }

    String problemWith(String password, String email) {
        if (password == null || password.codePointCount(0, password.length()) < minLength) {
            return "must have at least " + minLength + " characters";
        }
        if (password.codePointCount(0, password.length()) > maxLength) {
            return "must have at most " + maxLength + " characters";
        }
        String lower = password.toLowerCase(Locale.ROOT);
        if (common.contains(lower)) {
            return "is one of the most common passwords";
        }
        if (email != null && lower.equals(email.toLowerCase(Locale.ROOT))) {
            return "must not be the email address";
        }
        return null;
    }

    private static Set<String> load() {
        Set<String> passwords = new HashSet<>();
        try (InputStream in = PasswordPolicy.class.getResourceAsStream(COMMON_PASSWORDS)) {
            if (in == null) {
                throw new IllegalStateException("the common-password list is missing from the classpath");
            }
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(line -> line.trim().toLowerCase(Locale.ROOT))
                    .filter(line -> !line.isEmpty())
                    .forEach(passwords::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return passwords;
    }
}
