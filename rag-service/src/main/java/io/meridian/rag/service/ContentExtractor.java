package io.meridian.rag.service;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.tika.Tika;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.jsoup.Jsoup;

import io.meridian.platform.problem.ProblemException;

/**
 * What an upload really is, from its bytes and name (Tika's detection; the declared type is not trusted), and its
 * text: PDF through PDFBox, HTML through jsoup, plain text and Markdown as they are.
 */
@ApplicationScoped
public class ContentExtractor {

    public static final String PLAIN = "text/plain";
    public static final String MARKDOWN = "text/markdown";
    public static final String HTML = "text/html";
    public static final String PDF = "application/pdf";
    private static final Set<String> ACCEPTED = Set.of(PLAIN, MARKDOWN, HTML, PDF);

    private final Tika tika = new Tika();

    /** The accepted type of {@code content}, or 415 for anything else. */
    public String detect(byte[] content, String fileName) {
        Metadata metadata = new Metadata();
        if (fileName != null) {
            metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
        }
        String detected;
        try {
            detected = tika.detect(new ByteArrayInputStream(content), metadata);
        } catch (IOException e) {
            throw new IllegalStateException("reading an in-memory stream failed", e);
        }
        String type = normalise(detected);
        if (!ACCEPTED.contains(type)) {
            throw new ProblemException(415, "unsupported-media-type", "Unsupported media type",
                    "The file is " + detected + "; accepted are plain text, Markdown, HTML and PDF.");
        }
        return type;
    }

    /** The document's text; fails with a reason fit for the document's error field. */
    public String text(byte[] content, String type) throws IOException {
        return switch (type) {
            case PDF -> {
                try (PDDocument pdf = Loader.loadPDF(content)) {
                    yield new PDFTextStripper().getText(pdf);
                }
            }
            case HTML -> Jsoup.parse(new String(content, StandardCharsets.UTF_8)).body().wholeText();
            default -> new String(content, StandardCharsets.UTF_8);
        };
    }

    private static String normalise(String detected) {
        String type = detected.toLowerCase(Locale.ROOT);
        int parameters = type.indexOf(';');
        if (parameters >= 0) {
            type = type.substring(0, parameters).trim();
        }
        return switch (type) {
            case "text/x-web-markdown", "text/x-markdown", "text/markdown" -> MARKDOWN;
            case "application/xhtml+xml", "text/html" -> HTML;
            default -> type;
        };
    }
}
