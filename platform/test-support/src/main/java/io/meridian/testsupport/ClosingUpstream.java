package io.meridian.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 server that keeps connections alive and, on every connection, reads the request after the
 * {@code perConnection}-th and closes the connection without answering it: a kept-alive connection the server closed
 * just as the next request arrived (a request limit, or an idle timeout firing), the case a reverse proxy must retry.
 * It answers {@code GET} and {@code DELETE} under {@code /api/} with 200 and a small JSON body, anything else 404.
 */
public final class ClosingUpstream implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final int perConnection;
    public final AtomicInteger answered = new AtomicInteger();
    public final AtomicInteger closedUnanswered = new AtomicInteger();

    public ClosingUpstream(int perConnection) throws IOException {
        this.perConnection = perConnection;
        this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        threads.submit(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                threads.submit(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            for (int served = 0;; served++) {
                String head = readHead(in);
                if (head == null) {
                    return; // the gateway closed it
                }
                if (served == perConnection) {
                    closedUnanswered.incrementAndGet();
                    return; // closed under the request, nothing answered
                }
                boolean api = head.startsWith("GET /api/") || head.startsWith("DELETE /api/");
                byte[] body = (api ? "{\"ok\":true}" : "{}").getBytes(StandardCharsets.US_ASCII);
                out.write(("HTTP/1.1 " + (api ? "200 OK" : "404 Not Found") + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                answered.incrementAndGet();
            }
        } catch (IOException e) {
            // connection broken: the next one starts afresh
        }
    }

    /** Reads one request head (the tests send no bodies); null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int read;
        while ((read = in.read()) >= 0) {
            head.append((char) read);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                return head.toString();
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
