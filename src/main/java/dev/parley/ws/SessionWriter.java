package dev.parley.ws;

import java.util.function.Consumer;

import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsSession;

import dev.parley.observe.ConnectionTrace;
import dev.parley.protocol.CloseReason;

/**
 * The only code that writes to a connection's socket. Helidon 4.1.2's {@code WsSession} is not
 * safe for concurrent writers, and every write blocks, so all traffic — messages, pings, pongs,
 * the close frame — funnels through this one virtual thread. Each write is timed: the watchdog
 * aborts the socket when one takes longer than {@code parley.write-deadline}.
 */
final class SessionWriter implements Runnable {
    private final WsSession ws;
    private final Outbox outbox;
    private final ConnectionTrace trace;
    private final Consumer<RuntimeException> onFailure;
    /** System.nanoTime() when the current write started, 0 between writes. Written by this thread only. */
    private volatile long writeStarted;

    SessionWriter(WsSession ws, Outbox outbox, ConnectionTrace trace, Consumer<RuntimeException> onFailure) {
        this.ws = ws;
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
        StringBuilder batch = new StringBuilder(1024);
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
                if (work.text() != null) {
                    long nanos = write(() -> ws.send(work.text(), true));
                    trace.out(work.frames(), work.bytes(), nanos);
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
