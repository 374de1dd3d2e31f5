package io.meridian.auth.service;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.auth.config.OidcConfig;
import io.meridian.auth.domain.ExternalIdentity;
import io.meridian.auth.domain.OidcLogin;
import io.meridian.auth.domain.User;
import io.meridian.auth.messaging.UserEvents;
import io.meridian.platform.problem.ProblemException;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Sign-in through an external OpenID Connect provider: authorization code flow with PKCE (S256), a single-use state
 * and a nonce kept server-side, the ID token verified against the provider's keys. The provider's account is linked
 * to a Meridian account by its subject, or the first time by email, and only when the provider says the email is
 * verified.
 */
@ApplicationScoped
public class OidcLoginService {

    private static final Logger LOG = Logger.getLogger(OidcLoginService.class);

    private record Endpoints(URI authorization, URI token, URI jwks) {
    }

    private final OidcConfig config;
    private final ObjectMapper mapper;
    private final AccountService accounts;
    private final SessionService sessions;
    private final UserEvents events;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Endpoints> endpoints = new ConcurrentHashMap<>();

    OidcLoginService(OidcConfig config, ObjectMapper mapper, AccountService accounts, SessionService sessions,
            UserEvents events) {
        this.config = config;
        this.mapper = mapper;
        this.accounts = accounts;
        this.sessions = sessions;
        this.events = events;
    }

    /** Where to send the browser, and the value of the cookie that ties the sign-in to it. */
    public record Start(URI redirect, String browserBinding) {
    }

    /** Starts a sign-in. */
    public Start start(String providerName) {
        OidcConfig.Provider provider = provider(providerName);
        Endpoints endpoints = endpoints(providerName, provider);
        String state = Secrets.newToken();
        String verifier = Secrets.newToken();
        String nonce = Secrets.newToken();
        String binding = Secrets.newToken();
        QuarkusTransaction.requiringNew().run(() -> {
            OidcLogin login = new OidcLogin();
            login.stateHash = Secrets.sha256(state);
            login.provider = providerName;
            login.codeVerifier = verifier;
            login.nonce = nonce;
            login.browserHash = Secrets.sha256(binding);
            login.createdAt = Instant.now();
            login.expiresAt = login.createdAt.plus(config.loginTimeout());
            login.persist();
        });
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", provider.clientId());
        query.put("redirect_uri", provider.redirectUri().toString());
        query.put("scope", String.join(" ", provider.scopes()));
        query.put("state", state);
        query.put("nonce", nonce);
        query.put("code_challenge", challenge(verifier));
        query.put("code_challenge_method", "S256");
        return new Start(URI.create(endpoints.authorization()
                + (endpoints.authorization().getQuery() == null ? "?" : "&") + form(query)), binding);
    }

    /** Completes a sign-in when the provider sends the browser back; opens a session. */
    public TokenPair finish(String providerName, String code, String state, String browserBinding, String error,
            String address, String userAgent) {
        OidcConfig.Provider provider = provider(providerName);
        if (error != null) {
            throw ProblemException.unauthorized("The provider did not sign you in.");
        }
        if (code == null || state == null) {
            throw ProblemException.badRequest("The callback needs code and state.");
        }
        OidcLogin login = QuarkusTransaction.requiringNew().call(() -> {
            OidcLogin found = OidcLogin.findById(Secrets.sha256(state), jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
            if (found != null) {
                found.delete(); // single use, whatever happens next
            }
            return found;
        });
        if (login == null || !login.provider.equals(providerName) || login.expiresAt.isBefore(Instant.now())
                || browserBinding == null || !Secrets.sameHash(Secrets.sha256(browserBinding), login.browserHash)) {
            throw ProblemException.badRequest("This sign-in is unknown, was already completed, or took too long.");
        }
        JwtClaims idToken = exchange(providerName, provider, code, login.codeVerifier);
        try {
            if (!login.nonce.equals(idToken.getClaimValueAsString("nonce"))) {
                throw ProblemException.unauthorized("The provider's ID token does not belong to this sign-in.");
            }
            String subject = idToken.getSubject();
            String email = idToken.getClaimValueAsString("email");
            boolean verified = Boolean.TRUE.equals(idToken.getClaimValue("email_verified"))
                    || "true".equals(idToken.getClaimValueAsString("email_verified"));
            String name = idToken.getClaimValueAsString("name");
            return QuarkusTransaction.requiringNew().call(() -> {
                User user = linkedAccount(providerName, subject, email, verified, name);
                return sessions.open(user, address, userAgent);
            });
        } catch (org.jose4j.jwt.MalformedClaimException e) {
            throw ProblemException.unauthorized("The provider's ID token is malformed.");
        }
    }

    private User linkedAccount(String providerName, String subject, String email, boolean verified, String name) {
        ExternalIdentity link = ExternalIdentity.findById(new ExternalIdentity.Key(providerName, subject));
        if (link != null) {
            User user = User.findById(link.userId);
            if (user != null) {
                return user;
            }
        }
        if (email == null || !verified) {
            throw ProblemException.forbidden("The provider has not verified this account's email, so it cannot be linked.");
        }
        User user = User.findByEmail(email).orElse(null);
        if (user == null) {
            user = accounts.create(email, name == null || name.isBlank() ? email : name, null, Set.of("user"), true);
            events.registered(user);
        } else if (!user.emailVerified) {
            // Whoever registered this address never proved it was theirs: the provider just did. Their password and
            // sessions go, so that an account squatted on someone's address is not shared with its owner.
            user.emailVerified = true;
            user.passwordHash = null;
            sessions.revokeAll(user.id, null, "external-link");
        }
        ExternalIdentity created = new ExternalIdentity();
        created.provider = providerName;
        created.subject = subject;
        created.userId = user.id;
        created.createdAt = Instant.now();
        created.persist();
        LOG.infof("Linked %s account %s to user %s", providerName, subject, user.id);
        return user;
    }

    private JwtClaims exchange(String providerName, OidcConfig.Provider provider, String code, String verifier) {
        Endpoints endpoints = endpoints(providerName, provider);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", provider.redirectUri().toString());
        form.put("client_id", provider.clientId());
        form.put("code_verifier", verifier);
        provider.clientSecret().ifPresent(secret -> form.put("client_secret", secret));
        JsonNode response;
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(endpoints.token())
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(form(form))).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                LOG.infof("%s refused the code exchange: %d %s", providerName, answer.statusCode(), answer.body());
                throw ProblemException.unauthorized("The provider did not accept the sign-in.");
            }
            response = mapper.readTree(answer.body());
        } catch (java.io.IOException e) {
            throw ProblemException.unavailable("The provider " + providerName + " cannot be reached.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ProblemException.unavailable("Interrupted while asking " + providerName + ".");
        }
        String idToken = response.path("id_token").asText(null);
        if (idToken == null) {
            throw ProblemException.unauthorized("The provider answered without an ID token.");
        }
        try {
            return new JwtConsumerBuilder()
                    .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, "RS256", "ES256", "PS256")
                    .setVerificationKeyResolver(new JwksVerificationKeyResolver(keys(endpoints.jwks()).getJsonWebKeys()))
                    .setExpectedIssuer(provider.issuer().toString())
                    .setExpectedAudience(provider.clientId())
                    .setRequireExpirationTime()
                    .setRequireSubject()
                    .setAllowedClockSkewInSeconds(30)
                    .build().processToClaims(idToken);
        } catch (InvalidJwtException e) {
            LOG.infof("Rejected an ID token from %s: %s", providerName, e.getMessage());
            throw ProblemException.unauthorized("The provider's ID token is not valid.");
        }
    }

    private JsonWebKeySet keys(URI jwksUri) {
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(jwksUri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new JsonWebKeySet(answer.body());
        } catch (Exception e) {
            throw ProblemException.unavailable("The provider's keys cannot be read.");
        }
    }

    private Endpoints endpoints(String name, OidcConfig.Provider provider) {
        return endpoints.computeIfAbsent(name, key -> {
            if (provider.authorizationEndpoint().isPresent() && provider.tokenEndpoint().isPresent()
                    && provider.jwksUri().isPresent()) {
                return new Endpoints(provider.authorizationEndpoint().get(), provider.tokenEndpoint().get(),
                        provider.jwksUri().get());
            }
            try {
                URI discovery = URI.create(provider.issuer().toString().replaceAll("/$", "") + "/.well-known/openid-configuration");
                JsonNode document = mapper.readTree(http.send(HttpRequest.newBuilder(discovery)
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body());
                return new Endpoints(
                        provider.authorizationEndpoint().orElse(URI.create(document.path("authorization_endpoint").asText())),
                        provider.tokenEndpoint().orElse(URI.create(document.path("token_endpoint").asText())),
                        provider.jwksUri().orElse(URI.create(document.path("jwks_uri").asText())));
            } catch (Exception e) {
                throw ProblemException.unavailable("The provider " + name + " cannot be reached.");
            }
        });
    }

    private OidcConfig.Provider provider(String name) {
        OidcConfig.Provider provider = config.providers().get(name);
        if (provider == null) {
            throw ProblemException.notFound("No such sign-in provider.");
        }
        return provider;
    }

    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String form(Map<String, String> values) {
        return values.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
