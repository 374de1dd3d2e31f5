package io.meridian.rag.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;
import io.meridian.rag.config.RagConfig;

/**
 * Splits a document's text into passages with LangChain4j's recursive splitter: paragraphs first, then lines,
 * sentences and words, so that a passage ends at a sentence border whenever one fits; consecutive passages overlap.
 */
@ApplicationScoped
public class Chunker {

    private final DocumentSplitter splitter;

    Chunker(RagConfig config) {
        this.splitter = DocumentSplitters.recursive(config.chunking().maxChars(), config.chunking().overlapChars());
    }

    public List<String> split(String text) {
        String clean = text.replace('\u0000', ' ').strip();
        if (clean.isEmpty()) {
            return List.of();
        }
        return splitter.split(dev.langchain4j.data.document.Document.from(clean)).stream().map(TextSegment::text)
                .filter(passage -> !passage.isBlank()).toList();
    }
}
