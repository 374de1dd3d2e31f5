package io.meridian.rag.service;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import dev.langchain4j.model.ollama.OllamaEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import io.meridian.rag.config.RagConfig;

/**
 * Passages and queries as unit vectors, in batches: by an in-process model (no service to call; 384 dimensions:
 * bge-small-en-v1.5, quantised, by default, or all-MiniLM-L6-v2) unless {@code meridian.rag.embedding.provider} names
 * an OpenAI-compatible or Ollama endpoint; and their storage form, float32 little-endian. bge-small-en-v1.5 is asked
 * for queries with the instruction its authors trained it with; passages go in as they are.
 */
@ApplicationScoped
public class Embeddings {

    private final EmbeddingModel model;
    private final int batchSize;
    private final int dimensions;
    private final String name;

    /** The in-process models, by the name {@code meridian.rag.embedding.model} gives them. */
    static final String BGE_SMALL = "bge-small-en-v1.5";
    static final String MINILM = "all-minilm-l6-v2";
    private static final String BGE_QUERY_INSTRUCTION = "Represent this sentence for searching relevant passages: ";

    private final String queryPrefix;

    Embeddings(RagConfig config) {
        this.batchSize = config.embeddingBatchSize();
        this.dimensions = config.embedding().dimensions();
        RagConfig.Embedding embedding = config.embedding();
        String provider = embedding.provider().strip().toLowerCase(Locale.ROOT);
        String modelName = embedding.model().map(String::strip).filter(m -> !m.isEmpty()).orElse(switch (provider) {
            case "local" -> BGE_SMALL;
            case "ollama" -> "nomic-embed-text";
            default -> "text-embedding-3-small";
        });
        this.name = provider + "/" + modelName;
        this.queryPrefix = provider.equals("local") && modelName.equals(BGE_SMALL) ? BGE_QUERY_INSTRUCTION : "";
        this.model = switch (provider) {
            case "local" -> switch (modelName) {
                case BGE_SMALL -> new BgeSmallEnV15QuantizedEmbeddingModel();
                case MINILM -> new AllMiniLmL6V2EmbeddingModel();
                default -> throw new IllegalArgumentException("meridian.rag.embedding.model for the local provider "
                        + "must be " + BGE_SMALL + " or " + MINILM + ", not " + modelName);
            };
            case "openai" -> OpenAiEmbeddingModel.builder()
                    .baseUrl(embedding.baseUrl().orElse("https://api.openai.com/v1"))
                    .apiKey(embedding.apiKey().orElse("none")).modelName(modelName)
                    .timeout(embedding.timeout()).build();
            case "ollama" -> OllamaEmbeddingModel.builder()
                    .baseUrl(embedding.baseUrl().orElse("http://127.0.0.1:11434"))
                    .modelName(modelName).timeout(embedding.timeout()).build();
            default -> throw new IllegalArgumentException("meridian.rag.embedding.provider must be local, openai or "
                    + "ollama, not " + embedding.provider());
        };
    }

    /** The model, as recorded with the search index: a change of model is a reindex. */
    public String modelName() {
        return name;
    }

    /** The length of every vector this deployment stores. */
    public int dimensions() {
        return dimensions;
    }

    public List<float[]> embedAll(List<String> texts) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += batchSize) {
            List<TextSegment> batch = texts.subList(from, Math.min(texts.size(), from + batchSize)).stream()
                    .map(TextSegment::from).toList();
            for (Embedding embedding : model.embedAll(batch).content()) {
                vectors.add(unit(checked(embedding.vector())));
            }
        }
        return vectors;
    }

    /** A search's query, with the instruction the model expects in front of queries (if any). */
    public float[] embedQuery(String query) {
        return unit(checked(model.embed(queryPrefix + query).content().vector()));
    }

    private float[] checked(float[] vector) {
        if (vector.length != dimensions) {
            throw new IllegalStateException("the embedding model answered " + vector.length + " dimensions; "
                    + "meridian.rag.embedding.dimensions says " + dimensions);
        }
        return vector;
    }

    public static byte[] toBytes(float[] vector) {
        ByteBuffer buffer = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(vector);
        return buffer.array();
    }

    public static float[] fromBytes(byte[] stored) {
        float[] vector = new float[stored.length / 4];
        readInto(stored, vector, 0);
        return vector;
    }

    /** Reads a stored vector into {@code target} at {@code offset}. */
    public static void readInto(byte[] stored, float[] target, int offset) {
        ByteBuffer.wrap(stored).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(target, offset, stored.length / 4);
    }

    private static float[] unit(float[] vector) {
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        if (norm > 0) {
            for (int i = 0; i < vector.length; i++) {
                vector[i] /= (float) norm;
            }
        }
        return vector;
    }
}
