package dev.parley.ws;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Cross-site WebSocket hijacking guard. Browsers always send {@code Origin}; a page on another
 * site must not be able to open a chat socket with the user's cookies. Clients that send no
 * Origin (native apps, bots) are not browsers and are let through.
 */
final class OriginPolicy {
    private final Set<String> allowed;
    private final boolean any;

    /** {@code origins}: exact origins ({@code https://chat.example.com}), or {@code *}; empty = same-origin. */
    OriginPolicy(List<String> origins) {
        this.any = origins.contains("*");
        this.allowed = origins.stream().map(OriginPolicy::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * {@code scheme}: the one the client used to reach this server ({@code http}/{@code https},
     * a TLS-terminating proxy's word for it included); same-origin means scheme, host and port.
     */
    boolean allows(String origin, String host, String scheme) {
        if (origin == null || any) {
            return true;
        }
        String o = normalize(origin);
        if (!allowed.isEmpty()) {
            return allowed.contains(o);
        }
        return host != null && sameOrigin(o, host.toLowerCase(Locale.ROOT), scheme);
    }

    private static boolean sameOrigin(String origin, String host, String scheme) {
        try {
            URI u = URI.create(origin);
            if (u.getHost() == null || !scheme.equals(u.getScheme())) {
                return false;
            }
            String authority = u.getPort() == -1 ? u.getHost() : u.getHost() + ":" + u.getPort();
            return authority.equals(host) || (u.getPort() == -1 && defaultPort(u.getScheme(), host, u.getHost()));
        } catch (IllegalArgumentException e) {
            return false; // "null" origins (sandboxed frames, file://) and garbage are not same-origin
        }
    }

    // "Host: example.com:443" with "Origin: https://example.com" is the same origin.
    private static boolean defaultPort(String scheme, String host, String originHost) {
        return host.equals(originHost + ":" + ("https".equals(scheme) ? 443 : 80));
    }

    private static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
