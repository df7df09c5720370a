package dev.parley.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The calibration server's protocol subset on Parley's thread shape, with nothing else: a plain
 * {@link ServerSocket} (as Helidon's listener uses), a virtual thread per connection that reads
 * its blocking socket, and a second virtual thread per connection that drains a queue into it
 * and pings every heartbeat (Parley's 25 s). A message is handed from the sender's reader to
 * each member's writer, as in Parley. No JSON library, history, limits, metrics or traces.
 *
 * <p>It is the floor of the design, not of the machine: what a blocking socket per connection and
 * one hand-off per delivery cost before any chat logic runs. {@link CalibrationServer}, one
 * selector thread writing every socket itself, is the machine's floor. Loopback only.
 */
final class ThreadedCalibrationServer {

    static final int HEARTBEAT_SECONDS = 25;
    private static final byte[] PING = {(byte) 0x89, 0};
    /** Queued by the reader as it ends: the writer writes what is before it, then ends too. */
    private static final byte[] END = new byte[0];
    /** A member whose writer has this many frames waiting is dropped (the selector server's 4 MiB, roughly). */
    private static final int MAX_QUEUED = 16_384;

    private final int heartbeatSeconds;

    /** Members by room name; any reader thread adds and removes (copy-on-write lists). */
    private final Map<String, CopyOnWriteArrayList<Client>> rooms = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();

    private ThreadedCalibrationServer(int heartbeatSeconds) {
        this.heartbeatSeconds = heartbeatSeconds;
    }

    private final class Client implements FrameDecoder.Sink {
        final Socket socket;
        final OutputStream out;
        final FrameDecoder decoder = new FrameDecoder(1 << 20);
        /** Frames for the writer; offered by any reader, taken by this connection's writer only. */
        final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
        /** Written by the reader before it fans out; read by other readers building a message. */
        volatile String name = "?";

        Client(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        void read() {
            try (socket) {
                InputStream stream = socket.getInputStream();
                ReadBuffer in = new ReadBuffer();
                boolean upgraded = false;
                while (true) {
                    in.makeRoom();
                    int n = stream.read(in.buf, in.lim, in.buf.length - in.lim);
                    if (n < 0) {
                        return;
                    }
                    in.lim += n;
                    if (!upgraded) {
                        String head = in.head();
                        if (head == null) {
                            continue;
                        }
                        in.consume(head.length() + 4);
                        String key = CalibrationServer.webSocketKey(head);
                        if (key == null) {
                            out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                            return;
                        }
                        upgraded = true;
                        out.write(CalibrationServer.switchingProtocols(key));
                        text("{\"type\":\"hello\",\"session\":\"cal\",\"protocol\":1,\"heartbeat\":"
                                + heartbeatSeconds + ",\"maxText\":4000}");
                        Thread.ofVirtual().start(this::write);
                    }
                    in.consume(decoder.decode(in.buf, 0, in.lim, this));
                }
            } catch (IOException e) {
                // the peer is gone: the socket closes with this try
            } finally {
                leave();
                queue.offer(END);
            }
        }

        /** The connection's writer: everything queued goes out in one write; a ping every heartbeat. */
        void write() {
            List<byte[]> batch = new ArrayList<>();
            long heartbeat = TimeUnit.SECONDS.toNanos(heartbeatSeconds);
            long nextPing = System.nanoTime() + heartbeat;
            try {
                while (true) {
                    byte[] first = queue.poll(Math.max(0, nextPing - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (first == null) {
                        out.write(PING);
                        nextPing = System.nanoTime() + heartbeat;
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch);
                    int end = batch.indexOf(END); // byte[] equality is identity
                    out.write(joined(end < 0 ? batch : batch.subList(0, end)));
                    if (end >= 0) {
                        return;
                    }
                    batch.clear();
                }
            } catch (IOException | InterruptedException e) {
                close();
            }
        }

        private static byte[] joined(List<byte[]> frames) {
            if (frames.size() == 1) {
                return frames.getFirst();
            }
            int size = 0;
            for (byte[] f : frames) {
                size += f.length;
            }
            byte[] bytes = new byte[size];
            int at = 0;
            for (byte[] f : frames) {
                System.arraycopy(f, 0, bytes, at, f.length);
                at += f.length;
            }
            return bytes;
        }

        @Override
        public void onText(byte[] b, int off, int len) {
            String json = new String(b, off, len, StandardCharsets.UTF_8);
            String type = CalibrationServer.field(json, "type");
            String room = CalibrationServer.field(json, "room");
            if ("join".equals(type)) {
                name = CalibrationServer.field(json, "name");
                text("{\"type\":\"joined\",\"room\":\"" + room + "\",\"seq\":" + seq.get()
                        + ",\"epoch\":\"cal\",\"recovered\":false,\"members\":[]}");
                rooms.computeIfAbsent(room, r -> new CopyOnWriteArrayList<>()).addIfAbsent(this);
            } else if ("send".equals(type)) {
                String id = CalibrationServer.field(json, "id");
                long s = seq.incrementAndGet();
                String idField = id == null ? "" : ",\"id\":\"" + id + "\"";
                text("{\"type\":\"ack\",\"room\":\"" + room + "\",\"seq\":" + s + idField + "}");
                byte[] frame = FrameEncoder.unmasked(FrameDecoder.OP_TEXT, ("{\"type\":\"message\",\"room\":\""
                        + room + "\",\"seq\":" + s + ",\"from\":\"" + name + "\",\"text\":\""
                        + CalibrationServer.field(json, "text") + "\",\"ts\":" + System.currentTimeMillis() + idField
                        + "}").getBytes(StandardCharsets.UTF_8));
                List<Client> members = rooms.get(room);
                for (Client m : members == null ? List.<Client>of() : members) {
                    m.offer(frame);
                }
            }
        }

        @Override
        public void onPing(byte[] b, int off, int len) {
            // clients of the generator never ping
        }

        @Override
        public void onClose(int code) {
            offer(FrameEncoder.unmasked(FrameDecoder.OP_CLOSE, new byte[] {(byte) (code >>> 8), (byte) code}));
        }

        void text(String json) {
            offer(FrameEncoder.unmasked(FrameDecoder.OP_TEXT, json.getBytes(StandardCharsets.UTF_8)));
        }

        void offer(byte[] frame) {
            if (queue.size() >= MAX_QUEUED) {
                close();
                return;
            }
            queue.offer(frame);
        }

        /** Closing the socket ends a blocked read or write at once; both threads then finish. */
        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to release
            }
        }

        void leave() {
            rooms.values().forEach(members -> members.remove(this));
        }
    }

    /** Serves on 127.0.0.1:{@code port} until the process is stopped, with Parley's heartbeat. */
    static void serve(int port) throws IOException {
        serve(port, HEARTBEAT_SECONDS);
    }

    static void serve(int port, int heartbeatSeconds) throws IOException {
        new ThreadedCalibrationServer(heartbeatSeconds).accept(port);
    }

    private void accept(int port) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("127.0.0.1", port), 4096);
            System.err.println("threaded calibration server on ws://127.0.0.1:" + port + "/ws");
            while (true) {
                Socket s = server.accept();
                s.setTcpNoDelay(true); // as Parley's listener
                Client c = new Client(s);
                Thread.ofVirtual().start(c::read);
            }
        }
    }
}
