package io.meridian.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds free loopback ports for servers that tests start. The ports come from below the kernel's ephemeral range
 * (on Linux {@code net.ipv4.ip_local_port_range}, 32768 and up by default): a port the kernel handed out for a test
 * to bind later can meanwhile be taken by any outgoing connection of any process (seen: a service started a minute
 * after its port was chosen found it in use and exited). Within one JVM a port is handed out once.
 */
public final class FreePorts {

    private static final int LOWEST = 15_000;
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    public static int next() {
        int ceiling = ephemeralStart() - 1;
        if (ceiling - LOWEST >= 1_000) {
            for (int attempt = 0; attempt < 500; attempt++) {
                int port = ThreadLocalRandom.current().nextInt(LOWEST, ceiling + 1);
                if (GIVEN.add(port) && bindable(port)) {
                    return port;
                }
            }
        }
        // no room below the ephemeral range: let the kernel choose
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            GIVEN.add(socket.getLocalPort());
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on loopback", e);
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException busy) {
            return false;
        }
    }

    private static int ephemeralStart() {
        try {
            // read by lines: Files.readString gets one byte of this /proc file (it reports a size of 0)
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).strip();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 49_152; // the IANA dynamic range, where other systems take ephemeral ports
        }
    }
}
