package dev.parley.ws;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;

import dev.parley.observe.ConnectionTrace;
import dev.parley.protocol.CloseReason;
import dev.parley.protocol.Frame;

/**
 * The only code that writes to a connection's socket. Helidon 4.1.2's {@code WsSession} is not
 * safe for concurrent writers, and every write blocks, so all traffic — messages, pings, pongs,
 * the close frame — funnels through this one virtual thread. Each write is timed: the watchdog
 * aborts the socket when one takes longer than {@code parley.write-deadline}.
 */
final class SessionWriter implements Runnable {
    private static final byte FIN_TEXT = (byte) 0x81;

    private final WsSession ws;
    /** Helidon's writer for this connection, for text frames we assemble ourselves (null in odd setups). */
    private final DataWriter out;
    private final Outbox outbox;
    private final ConnectionTrace trace;
    private final Consumer<RuntimeException> onFailure;
    /** System.nanoTime() when the current write started, 0 between writes. Written by this thread only. */
    private volatile long writeStarted;

    SessionWriter(WsSession ws, Outbox outbox, ConnectionTrace trace, Consumer<RuntimeException> onFailure) {
        this.ws = ws;
        this.out = ws.socketContext() instanceof ConnectionContext ctx ? ctx.dataWriter() : null;
        this.outbox = outbox;
        this.trace = trace;
        this.onFailure = onFailure;
    }

    /** When the current write started (System.nanoTime()), or 0 when the writer is not writing. */
    long writeStarted() {
        return writeStarted;
    }

    @Override
    public void run() {
        List<Frame> batch = new ArrayList<>();
        try {
            while (true) {
                Outbox.Work work = outbox.take(batch);
                if (work.stop()) {
                    return;
                }
                if (work.pong() != null) {
                    write(() -> ws.pong(BufferData.create(work.pong())));
                }
                if (work.ping()) {
                    write(() -> ws.ping(BufferData.empty()));
                }
                if (work.frames() > 0) {
                    int payload = work.bytes() + work.frames() - 1;
                    long nanos = write(() -> sendText(batch, payload));
                    trace.out(work.objects(), payload, nanos);
                }
                if (work.close() != null) {
                    CloseReason r = work.close();
                    write(() -> ws.close(r.code(), r.reason()));
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // teardown: exit quietly
        } catch (RuntimeException e) {
            // The socket failed under us (reset, aborted by the watchdog, closed by Helidon).
            onFailure.accept(e);
        }
    }

    /**
     * One text frame holding the batch, newline-separated (docs/protocol.md), assembled in one
     * array and written as is: Helidon's {@code send(String)} would encode the text again and copy
     * it into its own buffer, per recipient.
     */
    private void sendText(List<Frame> batch, int payload) {
        if (out == null) {
            StringBuilder sb = new StringBuilder(payload);
            for (Frame f : batch) {
                sb.append(sb.isEmpty() ? "" : "\n").append(f.json());
            }
            ws.send(sb.toString(), true);
            return;
        }
        int header = payload < 126 ? 2 : payload < 65536 ? 4 : 10;
        byte[] frame = new byte[header + payload];
        frame[0] = FIN_TEXT;
        if (header == 2) {
            frame[1] = (byte) payload;
        } else if (header == 4) {
            frame[1] = 126;
            frame[2] = (byte) (payload >>> 8);
            frame[3] = (byte) payload;
        } else {
            frame[1] = 127;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) payload >>> (56 - 8 * i));
            }
        }
        Frame.copyJoined(batch, 0, batch.size(), frame, header);
        out.writeNow(BufferData.create(frame));
    }

    private long write(Runnable op) {
        long start = System.nanoTime();
        writeStarted = start;
        try {
            op.run();
        } finally {
            writeStarted = 0;
        }
        return System.nanoTime() - start;
    }
}
