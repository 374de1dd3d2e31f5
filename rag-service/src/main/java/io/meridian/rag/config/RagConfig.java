package io.meridian.rag.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** rag-service's settings (meridian.rag.*). */
@ConfigMapping(prefix = "meridian.rag")
public interface RagConfig {

    Chunking chunking();

    Search search();

    Chat chat();

    Cache cache();

    Embedding embedding();

    Engine engine();

    Extraction extraction();

    Quota quota();

    Ingestion ingestion();

    /** Documents in one batch upload. */
    @WithDefault("1000")
    int batchMaxDocuments();

    /** Passages embedded per call of the embedding model. */
    @WithDefault("32")
    int embeddingBatchSize();

    /** The ingestion queue's safety net (ADR 0016). */
    interface Ingestion {

        /**
         * A document still unread this long after its task was queued (a task lost to a dead-letter topic, say) is
         * queued again; a task queued twice is read once.
         */
        @WithDefault("PT15M")
        java.time.Duration requeueAfter();

        /** Documents queued again per check, at most. */
        @WithDefault("100")
        int requeueBatch();

        /** How often each replica looks for such documents (the scheduler's {@code every}). */
        @WithDefault("60s")
        String requeueCheckEvery();
    }

    /**
     * What one user may hold, per deployment: past a count the request is 409, past the bytes 413, both
     * problem+json naming the quota. A document whose chunks would pass the chunk quota is FAILED naming it.
     */
    interface Quota {

        /** Collections of one user. */
        @WithDefault("1000")
        long collections();

        /** Documents of one user, in all their collections. */
        @WithDefault("100000")
        long documents();

        /** Bytes of the originals one user uploaded. */
        @WithDefault("5G")
        io.quarkus.runtime.configuration.MemorySize originalBytes();

        /** Chunks of one user's documents. */
        @WithDefault("2000000")
        long chunks();
    }

    /**
     * Bounds on reading one upload's text (issue 18): an upload that would pass one is FAILED with the bound it hit,
     * and the next document is read.
     */
    interface Extraction {

        /** Characters of text a document may have (the JSON API's limit too). */
        @WithDefault("5000000")
        int maxChars();

        /** Characters on one PDF page: a page's glyphs are held in memory while it is read. */
        @WithDefault("100000")
        int maxPageChars();

        /** Pages of a PDF. */
        @WithDefault("2000")
        int maxPages();

        /** Elements of an HTML page (counted before it is parsed: every element is an object in memory). */
        @WithDefault("200000")
        int maxHtmlElements();

        /** Decoded PDF data held in the heap; more goes to a temporary file (PDFBox's mixed memory setting). */
        @WithDefault("16M")
        io.quarkus.runtime.configuration.MemorySize pdfMemory();

        /** Decoded PDF data in all, memory and temporary file: a compressed stream that expands past it fails. */
        @WithDefault("64M")
        io.quarkus.runtime.configuration.MemorySize pdfStorage();

        /** Time to read one document's text. */
        @WithDefault("60s")
        java.time.Duration timeout();

        /** Documents read at once in a replica. */
        @WithDefault("2")
        int threads();
    }

    interface Chunking {

        /** Largest passage, in characters; split at paragraphs, then lines, sentences and words (recursive). */
        @WithDefault("1000")
        int maxChars();

        /** Characters that consecutive passages share, so that a sentence cut at a border is found in both. */
        @WithDefault("150")
        int overlapChars();
    }

    /** The chat model that writes answers; without one, answers are extractive. */
    interface Chat {

        /** none, openai (any OpenAI-compatible endpoint) or ollama. */
        @WithDefault("none")
        String provider();

        /** For example https://api.openai.com/v1, or http://ollama:11434 for Ollama. */
        java.util.Optional<String> baseUrl();

        java.util.Optional<String> apiKey();

        @WithDefault("gpt-4o-mini")
        String model();

        @WithDefault("60s")
        java.time.Duration timeout();

        @WithDefault("0.1")
        double temperature();

        /** Characters of each source quoted in the prompt. */
        @WithDefault("1500")
        int maxSourceChars();
    }

    /** The embedding model: in-process bge-small-en-v1.5 by default, or a service. */
    interface Embedding {

        /** local (an in-process model), openai (any OpenAI-compatible endpoint) or ollama. */
        @WithDefault("local")
        String provider();

        java.util.Optional<String> baseUrl();

        java.util.Optional<String> apiKey();

        /**
         * The model's name: for local bge-small-en-v1.5 (default) or all-minilm-l6-v2; at the provider otherwise
         * (default text-embedding-3-small for openai, nomic-embed-text for ollama).
         */
        java.util.Optional<String> model();

        /** Length of the model's vectors: 384 for both local models. All of a deployment's chunks share it. */
        @WithDefault("384")
        int dimensions();

        @WithDefault("60s")
        java.time.Duration timeout();
    }

    /** Answers and query embeddings kept in cache-service (in the asking user's namespace). */
    interface Cache {

        @WithDefault("true")
        boolean enabled();

        @WithDefault("1h")
        java.time.Duration answerTtl();

        @WithDefault("24h")
        java.time.Duration embeddingTtl();
    }

    /** The OpenSearch cluster that holds the chunks' index (ADR 0012). */
    interface Engine {

        /** Comma-separated node URLs, {@code http://} or {@code https://}. */
        @WithDefault("http://127.0.0.1:9200")
        java.util.List<String> hosts();

        java.util.Optional<String> username();

        java.util.Optional<String> password();

        /** A PEM file of the CA that signed the cluster's certificate (https only); the JVM's trust store if unset. */
        java.util.Optional<String> caCertificate();

        /** The alias searches go to; the indexes behind it are named {@code <alias>-<time of build>}. */
        @WithDefault("meridian-chunks")
        String index();

        @WithDefault("1")
        int shards();

        @WithDefault("0")
        int replicas();

        /**
         * Chunks are routed by owner, so that one user's search asks one shard; a partition size above 1 spreads each
         * owner over that many shards (for deployments with very large users).
         */
        @WithDefault("1")
        int routingPartitionSize();

        /** Longest wait for one answer of the engine. */
        @WithDefault("10s")
        java.time.Duration timeout();

        /** How often the indexer looks for work it was not woken for (documents stored, removals, an engine back). */
        @WithDefault("2s")
        java.time.Duration indexerInterval();

        /** Chunks per bulk request when rebuilding the index. */
        @WithDefault("500")
        int bulkSize();

        /**
         * Chunks removed per delete-by-query request: a large user's or collection's chunks go a slice at a time, each
         * request well inside {@code timeout}.
         */
        @WithDefault("10000")
        int removalSlice();

        /**
         * A keyword search whose collections hold at least this share of their shard's chunks filters each matching
         * chunk as it is collected instead of in the query (same answer, faster when the filter passes nearly every
         * chunk; ADR 0015). Above 1, never.
         */
        @WithDefault("0.5")
        double postFilterShare();
    }

    interface Search {

        @WithDefault("10")
        int defaultTopK();

        @WithDefault("50")
        int maxTopK();

        /** Results of each of keyword and vector search that hybrid search fuses. */
        @WithDefault("50")
        int hybridCandidates();

        /** The k of reciprocal rank fusion: 1 / (k + rank). */
        @WithDefault("60")
        int rrfK();

        /**
         * How hybrid search fuses its two lists: {@code rrf} (reciprocal rank fusion), {@code min-max} or
         * {@code z-score} (each list's scores normalised, then summed with {@link #vectorWeight()}).
         */
        @WithDefault("min-max")
        String fusion();

        /** The vector list's weight in a normalised fusion (the keyword list has 1 - this). */
        @WithDefault("0.5")
        double vectorWeight();
    }
}
