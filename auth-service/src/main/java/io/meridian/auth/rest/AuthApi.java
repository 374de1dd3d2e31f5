package io.meridian.auth.rest;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import io.meridian.auth.domain.User;
import io.meridian.auth.domain.UserSession;

/** Request and response bodies of the auth API (API.md), with their validation. */
public final class AuthApi {

    private AuthApi() {
    }

    public record RegisterRequest(@NotBlank @Email @Size(max = 254) String email, @NotNull String password,
            @NotBlank @Size(max = 100) String displayName) {
    }

    public record LoginRequest(@NotBlank @Size(max = 254) String email, @NotBlank @Size(max = 1024) String password) {
    }

    public record TokenRequest(@NotBlank @Size(max = 256) String token) {
    }

    public record RefreshRequest(@NotBlank @Size(max = 256) String refreshToken) {
    }

    public record LogoutRequest(@Size(max = 256) String refreshToken) {
    }

    public record ChangePasswordRequest(@NotNull @Size(max = 1024) String currentPassword, @NotNull String newPassword) {
    }

    public record PasswordResetRequest(@NotBlank @Email @Size(max = 254) String email) {
    }

    public record PasswordResetConfirmation(@NotBlank @Size(max = 256) String token, @NotNull String newPassword) {
    }

    public record RolesRequest(@NotEmpty Set<@NotBlank String> roles) {
    }

    public record PermissionCheck(@NotBlank @Size(max = 50) String resource, @NotBlank @Size(max = 50) String action,
            UUID userId) {
    }

    public record PermissionAnswer(boolean allowed) {
    }

    public record NewClient(@NotBlank @Size(max = 100) String name, @NotEmpty Set<@NotBlank String> scopes) {
    }

    public record ClientView(String clientId, String name, Set<String> scopes, boolean enabled, UUID createdBy,
            Instant createdAt, Instant secretRotatedAt) {
    }

    public record CreatedClient(String clientId, String clientSecret, String name, Set<String> scopes) {
    }

    public record UserView(UUID id, String email, String displayName, Set<String> roles, boolean emailVerified,
            Instant createdAt) {

        public static UserView of(User user) {
            return new UserView(user.id, user.email, user.displayName, new TreeSet<>(user.roles), user.emailVerified,
                    user.createdAt);
        }
    }

    public record SessionView(UUID id, Instant createdAt, Instant lastUsedAt, String userAgent, String ip,
            boolean current) {

        public static List<SessionView> of(List<UserSession> sessions, UUID current) {
            return sessions.stream().map(s -> new SessionView(s.id, s.createdAt, s.lastUsedAt, s.userAgent, s.ip,
                    s.id.equals(current))).toList();
        }
    }
}
