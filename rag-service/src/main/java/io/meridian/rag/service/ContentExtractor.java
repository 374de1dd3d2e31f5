package io.meridian.rag.service;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.contentstream.operator.Operator;
import org.apache.pdfbox.filter.FilterFactory;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSObject;
import org.apache.pdfbox.cos.COSObjectKey;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;
import org.apache.tika.Tika;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.jsoup.Jsoup;

import io.meridian.platform.problem.ProblemException;
import io.meridian.rag.config.RagConfig;

/**
 * What an upload really is, from its bytes and name (Tika's detection; the declared type is not trusted), and its
 * text: PDF through PDFBox, HTML through jsoup, plain text and Markdown as they are; within bounds on characters,
 * pages, elements, decoded size and time, because an upload is untrusted input (issue 18, docs/security.md).
 */
@ApplicationScoped
public class ContentExtractor {

    public static final String PLAIN = "text/plain";
    public static final String MARKDOWN = "text/markdown";
    public static final String HTML = "text/html";
    public static final String PDF = "application/pdf";
    private static final Set<String> ACCEPTED = Set.of(PLAIN, MARKDOWN, HTML, PDF);

    private final Tika tika = new Tika();
    private final RagConfig.Extraction limits;
    private final ExecutorService readers;

    ContentExtractor(RagConfig config) {
        this.limits = config.extraction();
        AtomicInteger count = new AtomicInteger();
        this.readers = Executors.newFixedThreadPool(limits.threads(), task -> {
            Thread thread = new Thread(task, "rag-extraction-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The accepted type of the upload in {@code file} (Tika reads its first bytes), or 415 for anything else. */
    public String detect(Path file, String fileName) {
        Metadata metadata = new Metadata();
        if (fileName != null) {
            metadata.set(TikaCoreProperties.RESOURCE_NAME_KEY, fileName);
        }
        String detected;
        try (TikaInputStream in = TikaInputStream.get(file)) {
            detected = tika.detect(in, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the upload's file", e);
        }
        String type = normalise(detected);
        if (!ACCEPTED.contains(type)) {
            throw new ProblemException(415, "unsupported-media-type", "Unsupported media type",
                    "The file is " + detected + "; accepted are plain text, Markdown, HTML and PDF.");
        }
        return type;
    }

    /**
     * The document's text, within the bounds of {@code meridian.rag.extraction}: read on a thread of a small pool and
     * given up after the timeout (the reading checks the time itself too, so the thread stops). Fails with a reason
     * fit for the document's error field; a bound that was hit is an {@link ExtractionLimitException}.
     */
    public String text(Path content, String type) throws IOException {
        long deadline = System.nanoTime() + limits.timeout().toNanos();
        Future<String> reading = readers.submit(() -> read(content, type, deadline));
        try {
            // a little more than the deadline: the reading stops itself at it, with the page or element it reached
            return reading.get(limits.timeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            reading.cancel(true);
            throw new ExtractionLimitException("reading it took longer than " + limits.timeout().toSeconds() + " s");
        } catch (InterruptedException e) {
            reading.cancel(true);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof LimitReached limit) {
                throw new ExtractionLimitException(limit.getMessage());
            }
            if (cause instanceof Error error) {
                throw error;
            }
            String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            throw new IOException(message, cause);
        }
    }

    private String read(Path content, String type, long deadline) throws IOException {
        return switch (type) {
            case PDF -> pdf(content, deadline);
            case HTML -> html(content);
            default -> {
                if (Files.size(content) > 4L * limits.maxChars()) { // UTF-8 takes at most four bytes a character
                    throw tooLong();
                }
                yield bounded(new String(Files.readAllBytes(content), StandardCharsets.UTF_8));
            }
        };
    }

    private String pdf(Path content, long deadline) throws IOException {
        MemoryUsageSetting memory = MemoryUsageSetting.setupMixed(limits.pdfMemory().asLongValue(),
                limits.pdfStorage().asLongValue());
        // from the file, read as needed (PDFBox's buffered file reader), not loaded whole
        try (PDDocument pdf = Loader.loadPDF(content.toFile(), "", null, null, memory.streamCache)) {
            if (pdf.getNumberOfPages() > limits.maxPages()) {
                throw new ExtractionLimitException(String.format(Locale.ROOT, "it has %,d pages; at most %,d are read",
                        pdf.getNumberOfPages(), limits.maxPages()));
            }
            checkDecodedSizes(pdf, deadline);
            BoundedStripper stripper = new BoundedStripper(deadline);
            return bounded(stripper.getText(pdf));
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("Maximum allowed storage size exceeded")) {
                throw new ExtractionLimitException("its compressed content expands beyond "
                        + limits.pdfStorage().asLongValue() / (1024 * 1024) + " MB");
            }
            throw e;
        }
    }

    /**
     * Inflates every stream the text could need (not images, which text extraction never decodes), counting and
     * discarding the bytes, and fails at the first that expands past {@code pdf-storage}, before PDFBox decodes any
     * of them its own way.
     */
    private void checkDecodedSizes(PDDocument pdf, long deadline) throws IOException {
        long limit = limits.pdfStorage().asLongValue();
        for (COSObjectKey key : List.copyOf(pdf.getDocument().getXrefTable().keySet())) {
            COSObject object = pdf.getDocument().getObjectFromPool(key);
            if (!(object.getObject() instanceof COSStream stream)
                    || COSName.IMAGE.equals(stream.getCOSName(COSName.SUBTYPE))) {
                continue;
            }
            decode(stream, limit, deadline);
        }
    }

    /**
     * Runs the stream's filters into a sink that counts and throws past {@code limit}: PDFBox's own decoding buffers a
     * whole stream first (a 1 GiB bomb filled a 512 MB heap), this never holds more than a filter's window, or, for
     * the rare chain of filters, one stage of at most {@code pdf-memory}.
     */
    private void decode(COSStream stream, long limit, long deadline) throws IOException {
        List<COSName> filters = new ArrayList<>();
        COSBase named = stream.getFilters();
        if (named instanceof COSName name) {
            filters.add(name);
        } else if (named instanceof COSArray array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.getObject(i) instanceof COSName name) {
                    filters.add(name);
                }
            }
        }
        byte[] input = null;
        for (int i = 0; i < filters.size(); i++) {
            boolean last = i == filters.size() - 1;
            long cap = last ? limit : Math.min(limit, limits.pdfMemory().asLongValue());
            Counting out = new Counting(cap, deadline, !last);
            try (InputStream in = input == null ? stream.createRawInputStream() : new ByteArrayInputStream(input)) {
                FilterFactory.INSTANCE.getFilter(filters.get(i)).decode(in, out, stream, i);
            }
            input = out.kept();
        }
    }

    /** Counts what a filter writes, keeps it only between two filters, and stops it past the bound or the deadline. */
    private final class Counting extends OutputStream {

        private final long cap;
        private final long deadline;
        private final ByteArrayOutputStream kept;
        private long count;

        Counting(long cap, long deadline, boolean keep) {
            this.cap = cap;
            this.deadline = deadline;
            this.kept = keep ? new ByteArrayOutputStream() : null;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count += len;
            if (count > cap) {
                throw new ExtractionLimitException("its compressed content expands beyond " + cap / (1024 * 1024)
                        + " MB");
            }
            if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                throw new ExtractionLimitException("reading it took longer than " + limits.timeout().toSeconds() + " s");
            }
            if (kept != null) {
                kept.write(b, off, len);
            }
        }

        byte[] kept() {
            return kept == null ? null : kept.toByteArray();
        }
    }

    private String html(Path content) throws IOException {
        // each element becomes an object of the parsed tree: count them first, in the bytes
        int elements = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(content))) {
            boolean open = false;
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (open && (Character.isLetter(b) || b == '!') && ++elements > limits.maxHtmlElements()) {
                    throw new ExtractionLimitException(String.format(Locale.ROOT,
                            "the page has more than %,d elements", limits.maxHtmlElements()));
                }
                open = b == '<';
            }
        }
        return bounded(Jsoup.parse(content.toFile(), "UTF-8").body().wholeText());
    }

    private String bounded(String text) throws ExtractionLimitException {
        if (text.length() > limits.maxChars()) {
            throw tooLong();
        }
        return text;
    }

    private ExtractionLimitException tooLong() {
        return new ExtractionLimitException(String.format(Locale.ROOT, "it has more than %,d characters of text",
                limits.maxChars()));
    }

    @PreDestroy
    void stop() {
        readers.shutdownNow();
    }

    /** A bound on reading an upload was hit; the message says which, for the document's error field. */
    public static final class ExtractionLimitException extends IOException {

        ExtractionLimitException(String message) {
            super(message);
        }
    }

    /** Thrown from inside PDFBox's callbacks, which cannot throw checked exceptions. */
    private static final class LimitReached extends RuntimeException {

        LimitReached(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * PDFBox's text stripper with the bounds: characters per page (a page's glyphs are kept until the page is done) and
     * in all, and the deadline, checked every 1,024 operators of a content stream (a stream of operators that draw
     * nothing takes time but no characters).
     */
    private final class BoundedStripper extends PDFTextStripper {

        private final long deadline;
        private long characters;
        private int pageCharacters;
        private int page;
        private int operators;

        BoundedStripper(long deadline) {
            this.deadline = deadline;
        }

        @Override
        protected void startPage(PDPage start) throws IOException {
            page++;
            pageCharacters = 0;
            checkTime();
            super.startPage(start);
        }

        @Override
        protected void processTextPosition(TextPosition text) {
            if (++pageCharacters > limits.maxPageChars()) {
                throw new LimitReached(String.format(Locale.ROOT, "page %,d has more than %,d characters", page,
                        limits.maxPageChars()));
            }
            if (++characters > limits.maxChars()) {
                throw new LimitReached(String.format(Locale.ROOT, "it has more than %,d characters of text",
                        limits.maxChars()));
            }
            super.processTextPosition(text);
        }

        @Override
        protected void processOperator(Operator operator, List<COSBase> operands) throws IOException {
            if ((++operators & 1023) == 0) {
                checkTime();
            }
            super.processOperator(operator, operands);
        }

        private void checkTime() {
            if (System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                throw new LimitReached(String.format(Locale.ROOT,
                        "reading it took longer than %d s (stopped at page %,d)", limits.timeout().toSeconds(), page));
            }
        }
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
