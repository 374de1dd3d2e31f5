package io.meridian.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;

import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/** Documents to upload, made as a user's program would make them. */
public final class Documents {

    private Documents() {
    }

    /** A one-page PDF with the lines written on it. */
    public static byte[] pdf(String... lines) {
        return pdf(1, page -> lines);
    }

    /**
     * A decompression bomb: one page whose content stream is a few kilobytes compressed and {@code decodedBytes} of
     * operators that draw nothing ({@code q Q}) once inflated.
     */
    public static byte[] pdfBomb(long decodedBytes) {
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage();
            document.addPage(page);
            page.setContents(new PDStream(document, new Repeating("q Q\n", decodedBytes), COSName.FLATE_DECODE));
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One page with {@code characters} letters shown on it in one line (most of them past its edge). */
    public static byte[] pdfDensePage(int characters) {
        return pdf("x".repeat(characters));
    }

    /** {@code pages} pages with a line of text each. */
    public static byte[] pdfPages(int pages) {
        return pdf(pages, page -> new String[] {"Page " + page});
    }

    /** A PDF of {@code pages} pages, each with the lines given for its number (1, 2, ...) written on it. */
    private static byte[] pdf(int pages, IntFunction<String[]> lines) {
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            for (int number = 1; number <= pages; number++) {
                PDPage page = new PDPage();
                document.addPage(page);
                try (PDPageContentStream text = new PDPageContentStream(document, page)) {
                    text.beginText();
                    text.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                    text.newLineAtOffset(50, 700);
                    for (String line : lines.apply(number)) {
                        text.showText(line);
                        text.newLineAtOffset(0, -16);
                    }
                    text.endText();
                }
            }
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An HTML page of {@code elements} tiny elements. */
    public static byte[] htmlOfElements(int elements) {
        StringBuilder html = new StringBuilder(elements * 8 + 64).append("<html><body>");
        for (int i = 0; i < elements; i++) {
            html.append("<i>a</i>");
        }
        return html.append("</body></html>").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code length} bytes of a unit repeated, made as they are read. */
    private static final class Repeating extends InputStream {

        private final byte[] unit;
        private final long length;
        private long position;

        Repeating(String unit, long length) {
            this.unit = unit.getBytes(StandardCharsets.US_ASCII);
            this.length = length;
        }

        @Override
        public int read() {
            return position < length ? unit[(int) (position++ % unit.length)] : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int count) {
            if (position >= length) {
                return -1;
            }
            int n = (int) Math.min(count, length - position);
            for (int i = 0; i < n; i++) {
                buffer[offset + i] = unit[(int) (position++ % unit.length)];
            }
            return n;
        }
    }
}
