package io.meridian.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP proxy that a test can cut and restore, to take a real dependency (PostgreSQL, Kafka, Redis, SMTP)
 * away from the service under test without stopping the dependency itself. While cut, live connections are closed
 * and new ones are refused, as a stopped server would look. While stalled, connections are accepted and never
 * answered, as a hung server would look.
 */
public final class TcpProxy implements AutoCloseable {

    private final String name;
    private final int port;
    private volatile ServerSocket listener;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile boolean stalled;
    /** How long each piece of the dependency's answers is held before it goes on (a slow server). */
    private volatile long replyDelayMillis;
    private final Set<Socket> held = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private TcpProxy(String name, ServerSocket listener, InetSocketAddress target) {
        this.name = name;
        this.listener = listener;
        this.port = listener.getLocalPort();
        this.target = target;
    }

    /** Starts a proxy on a free loopback port (or {@code port} when it is not 0) in front of {@code host:targetPort}. */
    public static TcpProxy start(String name, int port, String host, int targetPort) {
        try {
            TcpProxy proxy = new TcpProxy(name, listen(port), new InetSocketAddress(host, targetPort));
            proxy.startAccepting();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the " + name + " proxy", e);
        }
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return listener;
    }

    private void startAccepting() {
        ServerSocket current = listener;
        Thread.ofPlatform().daemon().name("tcp-proxy-" + name).start(() -> acceptLoop(current));
    }

    public int port() {
        return port;
    }

    /**
     * Takes the dependency away, as a stopped server would: closes every connection and stops listening, so new
     * connections are refused, until {@link #restore()}.
     */
    public synchronized void cut() {
        cut = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // already closed
        }
        open.forEach(TcpProxy::closeQuietly);
        open.clear();
    }

    /**
     * Makes the dependency hang: live connections are closed, new ones are accepted and held without a byte
     * forwarded either way, until {@link #restore()}.
     */
    public synchronized void stall() {
        stalled = true;
        open.forEach(TcpProxy::closeQuietly);
        open.clear();
    }

    /**
     * Makes the dependency slow: every piece of what it sends back is held {@code delay} before it is passed on (a
     * server that takes its time over each reply), until {@link #restore()}.
     */
    public void delayReplies(java.time.Duration delay) {
        replyDelayMillis = delay.toMillis();
    }

    public synchronized void restore() {
        replyDelayMillis = 0;
        if (stalled) {
            stalled = false;
            held.forEach(TcpProxy::closeQuietly);
            held.clear();
        }
        if (!cut) {
            return;
        }
        try {
            listener = listen(port);
        } catch (IOException e) {
            throw new UncheckedIOException("could not listen again on " + port + " for the " + name + " proxy", e);
        }
        cut = false;
        startAccepting();
    }

    public boolean isCut() {
        return cut;
    }

    private void acceptLoop(ServerSocket socket) {
        while (!closed && !socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                return; // closed by cut() or close(); restore() starts a new loop
            }
            if (cut) {
                closeQuietly(client);
                continue;
            }
            if (stalled) {
                held.add(client); // accepted, never answered
                continue;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(target, 2_000);
                // A proxy forwards what it reads at once; Nagle's algorithm would hold small writes back.
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                open.add(client);
                open.add(upstream);
                pump(client, upstream, false);
                pump(upstream, client, true);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to, boolean replies) {
        Thread.ofPlatform().daemon().name("tcp-proxy-" + name + "-pump").start(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    long delay = replyDelayMillis;
                    if (replies && delay > 0) {
                        try {
                            Thread.sleep(delay);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException ignored) {
                // the other side went away or the proxy was cut: both sockets are closed below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        });
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }

    @Override
    public void close() {
        closed = true;
        cut();
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }
}
