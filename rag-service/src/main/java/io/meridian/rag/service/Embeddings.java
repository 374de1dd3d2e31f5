package io.meridian.rag.service;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.meridian.rag.config.RagConfig;

/**
 * Passages and queries as unit vectors, by the in-process all-MiniLM-L6-v2 model (384 dimensions, no service to
 * call), in batches; and their storage form, 384 float32 little-endian.
 */
@ApplicationScoped
public class Embeddings {

    public static final int DIMENSIONS = 384;

    private final EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();
    private final int batchSize;

    Embeddings(RagConfig config) {
        this.batchSize = config.embeddingBatchSize();
    }

    public List<float[]> embedAll(List<String> texts) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += batchSize) {
            List<TextSegment> batch = texts.subList(from, Math.min(texts.size(), from + batchSize)).stream()
                    .map(TextSegment::from).toList();
            for (Embedding embedding : model.embedAll(batch).content()) {
                vectors.add(unit(embedding.vector()));
            }
        }
        return vectors;
    }

    public float[] embed(String text) {
        return unit(model.embed(text).content().vector());
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
