package io.meridian.platform.events;

/** Topic names of ARCHITECTURE.md; each has a {@code .dlq} twin for what its consumers cannot process. */
public final class Topics {

    public static final String AUTH_USERS = "auth.users";
    public static final String RAG_DOCUMENTS = "rag.documents";
    /** rag-service's own task queue: one {@code document.ingest} per uploaded document. */
    public static final String RAG_INGESTION = "rag.ingestion";
    public static final String AGENT_RUNS = "agent.runs";
    public static final String EMAIL_REQUESTS = "email.requests";
    public static final String CACHE_INVALIDATIONS = "cache.invalidations";

    public static final String DLQ_SUFFIX = ".dlq";

    private Topics() {
    }

    public static String deadLetter(String topic) {
        return topic + DLQ_SUFFIX;
    }
}
