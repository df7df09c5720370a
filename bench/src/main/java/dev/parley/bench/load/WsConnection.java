package dev.parley.bench.load;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A minimal RFC 6455 client connection over a {@link SocketChannel}.
 *
 * <p>Why hand-written rather than {@code java.net.http.WebSocket}: the JDK client allocates a
 * CharBuffer/String and a CompletableFuture per message and runs its listener through the
 * HttpClient's executor, so at 400,000 deliveries a second its own cost competes with the server
 * for the same two cores. This client does one socket read per batch of frames, scans the bytes
 * in place, and allocates nothing per delivery. It also makes a "stalled" receiver trivial and
 * honest: its socket is simply never read.
 *
 * <p>Life cycle: {@link #open} connects and completes the opening handshake in blocking mode,
 * {@link #awaitBlocking} reads until a condition holds (hello, joined), and then the connection
 * is read either by its own virtual thread ({@link #readLoop}) or by a {@link Reactor} after
 * {@link #attach}. One reader at a time; writes from any thread go through {@link #writeLock}.
 */
final class WsConnection implements FrameDecoder.Sink {

    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** Far above anything Parley sends (its coalesced frames are bounded by its outbox). */
    private static final int MAX_MESSAGE_BYTES = 16 << 20;
    private static final int MAX_UPGRADE_RESPONSE_BYTES = 16 << 10;

    final int id;
    final PeerStats stats;
    private final SocketChannel channel;
    private final FrameDecoder decoder = new FrameDecoder(MAX_MESSAGE_BYTES);

    /** Read buffer: bytes in [pos, lim) are received but not yet decoded. Reader thread only. */
    private byte[] buf;
    private ByteBuffer in;
    private int pos;
    private int lim;
    /** Time of the read that produced the bytes being decoded; one clock read per batch. */
    private long readNanos;

    /** Serialises frame writes: a sender's messages and its reader's pongs share the socket. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Set once attached to a reactor; from then on the channel is non-blocking. */
    private volatile SelectionKey key;
    /** Non-blocking mode only: bytes a write could not take yet; guarded by writeLock. */
    private ByteBuffer pendingOut;
    /** True once we sent a close frame: no further frames may follow it (RFC 6455 5.5.1). */
    private boolean closeSent;
    /** True while a stalled receiver must not read; see {@link #pauseReading}. */
    private volatile boolean paused;
    /** Thread mode: the virtual thread running {@link #readLoop}, for {@link #resumeReading}. */
    private volatile Thread reader;
    /** True once the channel is closed, by either side. */
    private volatile boolean closed;

    private WsConnection(int id, PeerStats stats, SocketChannel channel, int bufferBytes) {
        this.id = id;
        this.stats = stats;
        this.channel = channel;
        this.buf = new byte[bufferBytes];
        this.in = ByteBuffer.wrap(buf);
    }

    /** {@link #open}, then waits for the server's {@code hello}; a connection that fails on the way is shut. */
    static WsConnection greeted(URI uri, int id, PeerStats stats, int receiveBuffer, int bufferBytes) throws IOException {
        WsConnection c = open(uri, id, stats, receiveBuffer, bufferBytes);
        try {
            c.awaitBlocking(stats::hello);
        } catch (IOException | RuntimeException e) {
            c.shutdown();
            throw e;
        }
        return c;
    }

    /**
     * Connects and performs the opening handshake (blocking). {@code receiveBuffer} > 0 sets
     * SO_RCVBUF before connecting, so the advertised TCP window is small from the start.
     */
    static WsConnection open(URI uri, int id, PeerStats stats, int receiveBuffer, int bufferBytes)
            throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            if (receiveBuffer > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
            }
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            int port = uri.getPort() > 0 ? uri.getPort() : 80;
            ch.connect(new InetSocketAddress(uri.getHost(), port));
            WsConnection c = new WsConnection(id, stats, ch, bufferBytes);
            c.handshake(uri, port);
            return c;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void handshake(URI uri, int port) throws IOException {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        // No Origin header: Parley refuses foreign browser origins, and a non-browser client
        // sends none (docs/protocol.md, Transport).
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        writeFully(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));

        int headerEnd;
        while ((headerEnd = indexOfBlankLine()) < 0) {
            if (lim >= MAX_UPGRADE_RESPONSE_BYTES) {
                throw new IOException("upgrade response headers exceed " + MAX_UPGRADE_RESPONSE_BYTES + " bytes");
            }
            if (readIntoBuffer() < 0) {
                throw new EOFException("connection closed during the upgrade");
            }
        }
        String head = new String(buf, 0, headerEnd, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n");
        if (!lines[0].startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + lines[0]);
        }
        String expected = acceptFor(key);
        boolean accepted = false;
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Accept")) {
                accepted = line.substring(colon + 1).trim().equals(expected);
            }
        }
        if (!accepted) {
            throw new IOException("bad or missing Sec-WebSocket-Accept");
        }
        pos = headerEnd + 4;
        // Frames that arrived with the response (typically hello) are decoded by the next read.
    }

    private int indexOfBlankLine() {
        for (int i = 0; i + 3 < lim; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static String acceptFor(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1")
                    .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JDK", e);
        }
    }

    /**
     * Blocking mode: reads and decodes until {@code done} holds; EOF, a close or an {@code error}
     * object from the server fails it.
     */
    void awaitBlocking(BooleanSupplier done) throws IOException {
        decodeBuffered();
        while (!done.getAsBoolean()) {
            if (!stats.errors().isEmpty()) {
                throw new IOException("server error " + stats.errors().keySet());
            }
            if (closed) {
                throw new IOException("closed by the server with code " + stats.closeCode());
            }
            if (!readOnce()) {
                throw new EOFException("connection closed by the server (code " + stats.closeCode() + ")");
            }
        }
    }

    /**
     * Blocking phase only, on the thread that reads: gives back what a large answer (the
     * {@code joined} of a crowded room lists every member) grew the read buffer to, once nothing
     * undecoded is left in it; ten thousand such buffers would otherwise stay at their largest.
     */
    void shrinkBuffer(int bytes) {
        if (pos == lim && buf.length > bytes) {
            buf = new byte[bytes];
            in = ByteBuffer.wrap(buf);
            pos = 0;
            lim = 0;
        }
    }

    /** Blocking mode: the receive loop of a connection read by its own (virtual) thread. */
    void readLoop() {
        reader = Thread.currentThread();
        try {
            decodeBuffered();
            do {
                while (paused && !closed) {
                    LockSupport.park(this);
                }
            } while (!closed && readOnce());
        } catch (IOException e) {
            if (!closed) {
                stats.closed(1006);
            }
        } finally {
            closeChannel();
        }
    }

    /**
     * Reactor mode: called when the channel is readable. Reads until the socket is empty or the
     * buffer could not hold everything, so one wake-up drains a burst.
     */
    void onReadable() {
        try {
            while (!closed && !paused) {
                int space = buf.length - lim;
                int n = readIntoBuffer();
                if (n < 0) {
                    eof();
                    return;
                }
                if (n == 0) {
                    return;
                }
                decodeBuffered();
                if (n < space) {
                    return;
                }
            }
        } catch (IOException e) {
            if (!closed) {
                stats.closed(1006);
            }
            closeChannel();
        }
    }

    /** One blocking read plus decode; false at EOF. */
    private boolean readOnce() throws IOException {
        if (readIntoBuffer() < 0) {
            eof();
            return false;
        }
        decodeBuffered();
        return !closed;
    }

    private int readIntoBuffer() throws IOException {
        if (lim == buf.length) {
            makeRoom(lim - pos + 1);
        }
        in.limit(buf.length).position(lim);
        int n = channel.read(in);
        if (n > 0) {
            lim += n;
            readNanos = System.nanoTime();
            stats.onRead();
        }
        return n;
    }

    private void decodeBuffered() throws IOException {
        if (pos == lim) {
            return;
        }
        pos = decoder.decode(buf, pos, lim, this);
        if (pos == lim) {
            pos = 0;
            lim = 0;
        } else if (pos + decoder.needed() > buf.length) {
            makeRoom(decoder.needed());
        }
    }

    /** Moves the undecoded bytes to the front, growing the buffer when {@code need} exceeds it. */
    private void makeRoom(int need) {
        int pending = lim - pos;
        if (need > buf.length) {
            byte[] bigger = new byte[Math.max(need, 2 * buf.length)];
            System.arraycopy(buf, pos, bigger, 0, pending);
            buf = bigger;
            in = ByteBuffer.wrap(buf);
        } else {
            System.arraycopy(buf, pos, buf, 0, pending);
        }
        pos = 0;
        lim = pending;
    }

    private void eof() {
        stats.closed(1006); // no-op if a close frame already set the code
        closeChannel();
    }

    @Override
    public void onText(byte[] b, int off, int len) {
        stats.onFrame();
        ServerTextScanner.scan(b, off, len, readNanos, stats);
    }

    @Override
    public void onPing(byte[] b, int off, int len) throws IOException {
        send(FrameEncoder.masked(FrameDecoder.OP_PONG, Arrays.copyOfRange(b, off, off + len)));
    }

    @Override
    public void onClose(int code) throws IOException {
        stats.closed(code);
        try {
            sendClose(code == 1005 ? 1000 : code);
        } finally {
            closeChannel();
        }
    }

    /** Sends one text message; blocks in blocking mode, buffers in reactor mode. */
    void sendText(String text) throws IOException {
        send(FrameEncoder.maskedText(text));
    }

    void send(byte[] frame) throws IOException {
        writeLock.lock();
        try {
            if (closeSent || closed) {
                throw new IOException("connection closed");
            }
            write(ByteBuffer.wrap(frame));
        } finally {
            writeLock.unlock();
        }
    }

    private void sendClose(int code) throws IOException {
        writeLock.lock();
        try {
            if (closeSent || closed) {
                return;
            }
            closeSent = true;
            write(ByteBuffer.wrap(FrameEncoder.maskedClose(code)));
        } finally {
            writeLock.unlock();
        }
    }

    private void write(ByteBuffer bb) throws IOException {
        SelectionKey k = key;
        if (k == null) {
            writeFully(bb);
            return;
        }
        if (pendingOut != null) {
            ByteBuffer joined = ByteBuffer.allocate(pendingOut.remaining() + bb.remaining());
            pendingOut = joined.put(pendingOut).put(bb).flip();
            return;
        }
        channel.write(bb);
        if (bb.hasRemaining()) {
            pendingOut = bb;
            k.interestOpsOr(SelectionKey.OP_WRITE);
            k.selector().wakeup();
        }
    }

    private void writeFully(ByteBuffer bb) throws IOException {
        while (bb.hasRemaining()) {
            channel.write(bb);
        }
    }

    /** Reactor mode: the socket can take more of {@link #pendingOut}. */
    void onWritable() {
        writeLock.lock();
        try {
            if (pendingOut != null) {
                channel.write(pendingOut);
                if (pendingOut.hasRemaining()) {
                    return;
                }
                pendingOut = null;
            }
            key.interestOpsAnd(~SelectionKey.OP_WRITE);
        } catch (IOException e) {
            stats.closed(1006);
            closeChannel();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Hands the connection to a reactor: non-blocking from now on. Called on the reactor thread,
     * after the blocking phase is over.
     */
    void attach(Selector selector) throws IOException {
        channel.configureBlocking(false);
        key = channel.register(selector, SelectionKey.OP_READ, this);
        onReadable(); // frames may already sit in our buffer or the socket
    }

    /**
     * Makes this a stalled receiver: it stops reading its socket, so the server's writes back up
     * into the kernel buffers and then into the server's own queue for it. In thread mode the
     * reader finishes the read it is blocked in first (one more batch at most).
     */
    void pauseReading() {
        paused = true;
        SelectionKey k = key;
        if (k != null && k.isValid()) {
            k.interestOpsAnd(~SelectionKey.OP_READ);
        }
    }

    /** Reads again after {@link #pauseReading}: whatever the socket still holds, then EOF or close. */
    void resumeReading() {
        paused = false;
        SelectionKey k = key;
        if (k != null && k.isValid()) {
            k.interestOpsOr(SelectionKey.OP_READ);
            k.selector().wakeup();
        }
        Thread t = reader;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Ends the connection from our side: a best-effort close frame, then the socket. */
    void shutdown() {
        try {
            sendClose(1000);
        } catch (IOException ignored) {
            // the server may already have gone; the socket is closed below either way
        }
        closeChannel();
    }

    boolean isClosed() {
        return closed;
    }

    private void closeChannel() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is best effort; nothing more to release
        }
    }
}
