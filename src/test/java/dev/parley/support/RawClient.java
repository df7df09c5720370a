package dev.parley.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written against the socket, for what a polite client library will not do:
 * reset the connection, half-close it, ignore pings, send binary or oversized frames, or check
 * the raw upgrade response.
 */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String statusLine;
    private final Map<String, String> headers;

    /** An opcode and payload read from the server. */
    public record ServerFrame(int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }
    }

    private RawClient(Socket socket, String statusLine, Map<String, String> headers) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.statusLine = statusLine;
        this.headers = headers;
    }

    public static RawClient connect(URI ws, Map<String, String> extraHeaders) throws IOException {
        return connect(ws, extraHeaders, 0);
    }

    /** {@code receiveBuffer} > 0 shrinks the socket's receive buffer (before connecting, so the window stays small). */
    public static RawClient connect(URI ws, Map<String, String> extraHeaders, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new java.net.InetSocketAddress(ws.getHost(), ws.getPort()), 10_000);
        s.setSoTimeout(20_000);
        byte[] keyBytes = new byte[16];
        ThreadLocalRandom.current().nextBytes(keyBytes);
        StringBuilder req = new StringBuilder()
                .append("GET ").append(ws.getRawPath()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(ws.getHost()).append(':').append(ws.getPort()).append("\r\n")
                .append("Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(keyBytes)).append("\r\n");
        extraHeaders.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        String status = line(in);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).trim().toLowerCase(), l.substring(colon + 1).trim());
        }
        return new RawClient(s, status, headers);
    }

    /**
     * Sends {@code request} (a complete HTTP request head) as it is and reads the response's
     * status line and headers.
     */
    public static RawClient request(URI ws, String request) throws IOException {
        return request(ws, request.getBytes(StandardCharsets.US_ASCII));
    }

    /** Sends {@code bytes} in one write (a request head, and frames right behind it) and reads the response head. */
    public static RawClient request(URI ws, byte[] bytes) throws IOException {
        Socket s = new Socket();
        s.connect(new java.net.InetSocketAddress(ws.getHost(), ws.getPort()), 10_000);
        s.setSoTimeout(20_000);
        s.getOutputStream().write(bytes);
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        String status = line(in);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).trim().toLowerCase(), l.substring(colon + 1).trim());
        }
        return new RawClient(s, status, headers);
    }

    /** A fresh, valid Sec-WebSocket-Key. */
    public static String key() {
        byte[] keyBytes = new byte[16];
        ThreadLocalRandom.current().nextBytes(keyBytes);
        return Base64.getEncoder().encodeToString(keyBytes);
    }

    public static RawClient connect(URI ws) throws IOException {
        return connect(ws, Map.of());
    }

    public int status() {
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Socket socket() {
        return socket;
    }

    public void sendText(String text) throws IOException {
        frame(0x1, text.getBytes(StandardCharsets.UTF_8), true);
    }

    public void sendBinary(byte[] data) throws IOException {
        frame(0x2, data, true);
    }

    /** One frame, masked as RFC 6455 requires of clients. */
    public void frame(int opcode, byte[] payload, boolean fin) throws IOException {
        write(encode((fin ? 0x80 : 0) | opcode, payload, true));
    }

    /** Writes bytes as they are (several frames at once, or a frame split across writes). */
    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * A frame with the first byte as given (FIN, RSV bits, opcode), masked or not: what a broken
     * or hostile client sends.
     */
    public static byte[] encode(int firstByte, byte[] payload, boolean masked) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write(firstByte);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            f.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            f.write(maskBit | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length & 0xFF);
        } else {
            f.write(maskBit | 127);
            for (int i = 56; i >= 0; i -= 8) {
                f.write((int) ((long) payload.length >>> i) & 0xFF);
            }
        }
        if (!masked) {
            f.writeBytes(payload);
            return f.toByteArray();
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        f.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i & 3]);
        }
        return f.toByteArray();
    }

    /** A close frame's payload: the code, then the reason's bytes. */
    public static byte[] closePayload(int code, byte[] reason) {
        byte[] p = new byte[2 + reason.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(reason, 0, p, 2, reason.length);
        return p;
    }

    /** True once the server has closed the connection (end of stream or reset) within the socket's timeout. */
    public boolean closedByServer() throws IOException {
        try {
            while (in.read() != -1) {
                // whatever is left
            }
            return true;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    /** Reads the next frame from the server (unmasked). */
    public ServerFrame read() throws IOException {
        DataInputStream d = new DataInputStream(in);
        int b0 = d.readUnsignedByte();
        int b1 = d.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = d.readUnsignedShort();
        } else if (len == 127) {
            len = d.readLong();
        }
        byte[] payload = new byte[(int) len];
        d.readFully(payload);
        return new ServerFrame(b0 & 0x0F, payload);
    }

    /** Reads frames, ignoring everything (pings included: they get no pong), until a close frame. */
    public ServerFrame readUntilClose() throws IOException {
        while (true) {
            ServerFrame f = read();
            if (f.opcode() == 0x8) {
                return f;
            }
        }
    }

    /** Sends a TCP reset: no close frame, no FIN. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** Half-closes: the server reads end-of-stream without a close frame. */
    public void fin() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
