package io.meridian.rag.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;

/**
 * Documents' original bytes in PostgreSQL, in parts of 1 MiB ({@code document_part}): an upload is copied from the
 * file the HTTP layer wrote, a part at a time, and read back the same way, each part in a short query of its own, so
 * that neither a 50 MB upload nor a slow download holds more than a part in the heap or a connection for long.
 */
@ApplicationScoped
public class Originals {

    static final int PART_BYTES = 1024 * 1024;

    private final AgroalDataSource dataSource;

    Originals(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores the bytes of {@code in} as the document's original; within the caller's transaction. */
    public void store(UUID documentId, InputStream in) throws IOException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "insert into document_part (document_id, part, bytes) values (?, ?, ?)")) {
            byte[] buffer = new byte[PART_BYTES];
            for (int part = 0;; part++) {
                int read = in.readNBytes(buffer, 0, PART_BYTES);
                if (read == 0) {
                    return;
                }
                insert.setObject(1, documentId);
                insert.setInt(2, part);
                insert.setBytes(3, read == PART_BYTES ? buffer : Arrays.copyOf(buffer, read));
                insert.executeUpdate();
                if (read < PART_BYTES) {
                    return;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not store the original of " + documentId, e);
        }
    }

    /** Writes the document's original to {@code out}, a part at a time. */
    public void copy(UUID documentId, OutputStream out) throws IOException {
        for (int part = 0;; part++) {
            byte[] bytes = part(documentId, part);
            if (bytes == null) {
                if (part == 0) {
                    out.write(legacy(documentId));
                }
                return;
            }
            out.write(bytes);
        }
    }

    /** Copies the document's original into {@code file}, for a parser that reads from a file. */
    public void copy(UUID documentId, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            copy(documentId, out);
        }
    }

    private byte[] part(UUID documentId, int part) {
        return readBytes("select bytes from document_part where document_id = ? and part = ?", documentId, part);
    }

    /** An original written by a replica of the release before parts (during a rolling upgrade): whole, or none. */
    private byte[] legacy(UUID documentId) {
        byte[] content = readBytes("select content from document_content where document_id = ? and 0 = ?", documentId, 0);
        return content == null ? new byte[0] : content;
    }

    private byte[] readBytes(String sql, UUID documentId, int part) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(sql)) {
            query.setObject(1, documentId);
            query.setInt(2, part);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getBytes(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the original of " + documentId, e);
        }
    }
}
