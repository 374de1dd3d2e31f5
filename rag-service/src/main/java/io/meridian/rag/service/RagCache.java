package io.meridian.rag.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.context.ManagedExecutor;
import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.meridian.platform.cache.CacheClient;
import io.meridian.rag.config.RagConfig;

/**
 * Answers and query embeddings kept in cache-service, in the asking user's own namespace ({@code user:<id>}, with
 * the user's token): {@code rag-answer:<collectionId>:<hash>} (cache-service drops them when a document of the
 * collection is indexed or deleted) and {@code rag-embedding:<hash>}. A cache that fails is a miss; writes happen
 * after the answer, off the request's thread.
 */
@ApplicationScoped
public class RagCache {

    private static final String ANSWER = "rag-answer:";
    private static final String EMBEDDING = "rag-embedding:";

    private final CacheClient cache;
    private final JsonWebToken caller;
    private final ObjectMapper mapper;
    private final ManagedExecutor background;
    private final RagConfig.Cache config;

    RagCache(CacheClient cache, JsonWebToken caller, ObjectMapper mapper, ManagedExecutor background, RagConfig config) {
        this.cache = cache;
        this.caller = caller;
        this.mapper = mapper;
        this.background = background;
        this.config = config.cache();
    }

    public Optional<float[]> embedding(UUID owner, String query) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        return cache.get(namespace(owner), EMBEDDING + hash(query), token()).map(Embeddings::fromBytes);
    }

    public void putEmbedding(UUID owner, String query, float[] vector) {
        if (config.enabled()) {
            String token = token();
            background.execute(() -> cache.put(namespace(owner), EMBEDDING + hash(query), Embeddings.toBytes(vector),
                    "application/octet-stream", config.embeddingTtl(), token));
        }
    }

    /** A cached answer to the same question about the same single collection, with the same settings. */
    public Optional<AskService.Answer> answer(UUID owner, UUID collectionId, String key) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        return cache.get(namespace(owner), ANSWER + collectionId + ":" + hash(key), token()).flatMap(bytes -> {
            try {
                return Optional.of(mapper.readValue(bytes, AskService.Answer.class));
            } catch (java.io.IOException e) {
                return Optional.empty(); // unreadable: as good as a miss
            }
        });
    }

    public void putAnswer(UUID owner, UUID collectionId, String key, AskService.Answer answer) {
        if (!config.enabled()) {
            return;
        }
        String token = token();
        background.execute(() -> {
            try {
                cache.put(namespace(owner), ANSWER + collectionId + ":" + hash(key), mapper.writeValueAsBytes(answer),
                        "application/json", config.answerTtl(), token);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private String token() {
        return caller.getRawToken();
    }

    private static String namespace(UUID owner) {
        return "user:" + owner;
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
