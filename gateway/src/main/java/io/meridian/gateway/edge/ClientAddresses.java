package io.meridian.gateway.edge;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import io.meridian.gateway.config.GatewayConfig;
import io.netty.util.NetUtil;
import io.vertx.core.http.HttpServerRequest;

/**
 * The address of the client behind the ingress (ADR 0011). The direct peer's address is the client's unless the peer
 * is a trusted proxy ({@code meridian.gateway.trusted-proxies}, CIDR ranges: the ingress controller's). Then the
 * forwarding chain ({@code X-Forwarded-For}, else the RFC 7239 {@code Forwarded} header's {@code for=}) is read from
 * the right, the hop nearest to the gateway first, skipping the trusted proxies; the first hop that is not one is the
 * client. A client can write anything to the left of that hop and it is never read; a hop that is not an IP literal
 * ends the walk there (nothing is ever looked up in DNS). With no trusted proxies configured, forwarding headers are
 * ignored entirely.
 */
@ApplicationScoped
public class ClientAddresses {

    private final List<Cidr> trusted;

    ClientAddresses(GatewayConfig config) {
        this.trusted = config.trustedProxies().orElse(List.of()).stream().map(String::trim)
                .filter(entry -> !entry.isEmpty()).map(Cidr::parse).toList();
    }

    /** The client's address for this request, or null when the connection has none (a Unix socket). */
    public String of(HttpServerRequest request) {
        String peer = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        if (peer == null || trusted.isEmpty()) {
            return peer;
        }
        byte[] peerBytes = ip(peer);
        if (peerBytes == null || !isTrusted(peerBytes)) {
            return peer;
        }
        List<String> hops = hops(request);
        String client = NetUtil.bytesToIpAddress(peerBytes);
        for (int i = hops.size() - 1; i >= 0; i--) {
            byte[] hop = ip(hops.get(i));
            if (hop == null) {
                return client; // garbage or an obfuscated hop: the last address we could read is as far as trust goes
            }
            client = NetUtil.bytesToIpAddress(hop);
            if (!isTrusted(hop)) {
                return client;
            }
        }
        return client;
    }

    /** Whether {@code address} (an IP literal) is one of the trusted proxies. */
    public boolean isTrusted(String address) {
        byte[] bytes = ip(address);
        return bytes != null && isTrusted(bytes);
    }

    private boolean isTrusted(byte[] address) {
        for (Cidr range : trusted) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The forwarding chain, leftmost (farthest) hop first. */
    private static List<String> hops(HttpServerRequest request) {
        List<String> hops = new ArrayList<>();
        List<String> xff = request.headers().getAll("X-Forwarded-For");
        if (!xff.isEmpty()) {
            for (String line : xff) {
                for (String hop : line.split(",")) {
                    hops.add(hop.trim());
                }
            }
            return hops;
        }
        for (String line : request.headers().getAll("Forwarded")) {
            for (String element : line.split(",")) {
                String forValue = null;
                for (String pair : element.split(";")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
                        forValue = pair.substring(eq + 1).trim();
                    }
                }
                hops.add(forValue == null ? "" : forwardedNode(forValue));
            }
        }
        return hops;
    }

    /** RFC 7239 node: optionally quoted, IPv6 in brackets, optionally with a port. */
    private static String forwardedNode(String value) {
        String node = value;
        if (node.length() >= 2 && node.startsWith("\"") && node.endsWith("\"")) {
            node = node.substring(1, node.length() - 1);
        }
        if (node.startsWith("[")) {
            int end = node.indexOf(']');
            return end > 0 ? node.substring(1, end) : "";
        }
        int colon = node.indexOf(':');
        return colon > 0 && node.indexOf(':', colon + 1) < 0 ? node.substring(0, colon) : node;
    }

    /** The address as 4 or 16 bytes (IPv4-mapped IPv6 as IPv4), or null when it is not an IP literal. */
    static byte[] ip(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            return null;
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
        if (bytes != null && bytes.length == 16 && isIpv4Mapped(bytes)) {
            byte[] v4 = new byte[4];
            System.arraycopy(bytes, 12, v4, 0, 4);
            return v4;
        }
        return bytes;
    }

    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }

    /** An address range such as 10.0.0.0/8 or fd00::/8; a bare address is a range of one. */
    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            byte[] network = ip(slash < 0 ? text : text.substring(0, slash));
            if (network == null) {
                throw new IllegalArgumentException("Not an address or CIDR range in meridian.gateway.trusted-proxies: "
                        + text + " (host names are not accepted)");
            }
            int prefix = slash < 0 ? network.length * 8 : Integer.parseInt(text.substring(slash + 1));
            if (prefix < 0 || prefix > network.length * 8) {
                throw new IllegalArgumentException("Bad prefix length in " + text);
            }
            return new Cidr(network, prefix);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }
}
