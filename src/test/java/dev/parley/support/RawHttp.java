package dev.parley.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A GET written byte for byte, so the request target reaches the server exactly as spelled
 * ({@code //x}, {@code ;params}, {@code %2F}) — an HTTP client library may normalise it.
 */
public final class RawHttp {
    /** Every spelling of the observe endpoints that must not answer on a public port. */
    public static final List<String> OBSERVE_SPELLINGS = List.of(
            "/observe/metrics", "/observe;/metrics", "/;/observe/metrics", "/observe;x=1/metrics",
            "/%2Fobserve/metrics", "/observe%2Fmetrics", "%2Fobserve/metrics", "//observe/metrics", "/./observe/metrics",
            "/observe/health", "/observe/health/ready", "/observe/health/live", "/observe;/health/ready",
            "/;/observe/health/ready", "/%2Fobserve/health/ready", "/observe%2Fhealth%2Fready",
            "//observe/health/ready", "/observe/health;/ready", "/OBSERVE/metrics");

    private RawHttp() {
    }

    /** For {@code @MethodSource}. */
    public static List<String> observeSpellings() {
        return OBSERVE_SPELLINGS;
    }

    /** The status code of {@code GET target} on 127.0.0.1:port. */
    public static int status(int port, String target) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                                       + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String line = firstLine(s.getInputStream());
            String[] parts = line.split(" ");
            if (parts.length < 2) {
                throw new IllegalStateException("not an HTTP status line: " + line);
            }
            return Integer.parseInt(parts[1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String firstLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }
}
