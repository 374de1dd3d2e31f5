package io.meridian.auth.service;

/** What a login or refresh answers (API.md TokenPair). */
public record TokenPair(String accessToken, String refreshToken, String tokenType, long expiresIn,
        long refreshExpiresIn) {
}
