package dev.parley.ws;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The client's real address. Behind a reverse proxy the TCP peer is the proxy, and the client is
 * in {@code X-Forwarded-For}; but anyone can send that header, so it is believed only when the
 * peer is a configured proxy ({@code parley.trusted-proxies}: addresses or CIDR blocks). The
 * chain is read from the right, skipping trusted hops, so a client cannot forge its way in.
 */
final class ClientAddress {
    private final List<Block> trusted;

    ClientAddress(List<String> trustedProxies) {
        this.trusted = trustedProxies.stream().map(Block::parse).toList();
    }

    String resolve(String peer, String forwardedFor) {
        if (forwardedFor == null || !isTrusted(peer)) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        String candidate = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (hop.isEmpty()) {
                continue;
            }
            candidate = hop;
            if (!isTrusted(hop)) {
                break;
            }
        }
        return candidate;
    }

    boolean isTrusted(String address) {
        byte[] a = literal(address);
        if (a == null) {
            return false;
        }
        for (Block b : trusted) {
            if (b.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** Parses only IP literals: a header must never trigger a DNS lookup. */
    private static byte[] literal(String address) {
        if (address == null || address.isEmpty()) {
            return null;
        }
        String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        boolean ipLike = a.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
        if (!ipLike) {
            return null;
        }
        try {
            return InetAddress.getByName(a).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private record Block(byte[] network, int bits) {
        static Block parse(String spec) {
            String[] parts = spec.trim().split("/");
            byte[] net = literal(parts[0]);
            if (net == null) {
                throw new IllegalArgumentException("parley.trusted-proxies: not an IP address or CIDR block: " + spec);
            }
            int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : net.length * 8;
            return new Block(net, bits);
        }

        boolean contains(byte[] a) {
            if (a.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest);
            return (a[full] & mask) == (network[full] & mask);
        }
    }
}
