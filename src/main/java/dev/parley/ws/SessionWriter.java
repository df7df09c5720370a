package dev.parley.ws;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.parley.observe.ConnectionTrace;
import dev.parley.protocol.CloseReason;
import dev.parley.protocol.Frame;

/**
 * The only code that writes to a connection's socket while the connection is open: messages,
 * pings, pongs, the close frame. What the outbox holds goes out in one socket write: a lone frame
 * as the bytes every member shares ({@link Frame#wire()}), anything more assembled in one array
 * (a pong, a ping, the text frame, the close frame). Each write is timed: the
 * watchdog aborts the socket when one takes longer than {@code parley.write-deadline}.
 */
final class SessionWriter implements Runnable {
    private final StrictSession ws;
    private final Outbox outbox;
    private final ConnectionTrace trace;
    private final Consumer<RuntimeException> onFailure;
    /** Told before and after each socket write: the watchdog checks the deadline of writes under way only. */
    private final Runnable writeBegins;
    private final Runnable writeEnds;
    /** System.nanoTime() when the current write started, 0 between writes. Written by this thread only. */
    private volatile long writeStarted;

    SessionWriter(StrictSession ws, Outbox outbox, ConnectionTrace trace, Consumer<RuntimeException> onFailure,
                  Runnable writeBegins, Runnable writeEnds) {
        this.writeBegins = writeBegins;
        this.writeEnds = writeEnds;
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
        List<Frame> batch = new ArrayList<>();
        try {
            while (true) {
                Outbox.Work work = outbox.take(batch);
                if (work.stop()) {
                    return;
                }
                byte[] pong = work.pong();
                CloseReason close = work.close();
                if (pong == null && !work.ping() && close == null && work.frames() == 1) {
                    // The common case: one frame (a room's batch), already framed once for every member.
                    Frame only = batch.getFirst();
                    trace.out(work.objects(), only.bytes(), write(only.wire(), false));
                    continue;
                }
                byte[] closePayload = close == null ? null : ServerFrames.closePayload(close.code(), close.reason());
                // One text frame holding the batch, newline-separated (docs/protocol.md).
                int text = work.frames() > 0 ? work.bytes() + work.frames() - 1 : -1;
                int size = (pong == null ? 0 : Frame.headerLength(pong.length) + pong.length)
                           + (work.ping() ? 2 : 0)
                           + (text < 0 ? 0 : Frame.headerLength(text) + text)
                           + (closePayload == null ? 0 : Frame.headerLength(closePayload.length) + closePayload.length);
                byte[] out = new byte[size];
                int at = 0;
                if (pong != null) {
                    at = Frame.header(out, at, ServerFrames.PONG, pong.length);
                    System.arraycopy(pong, 0, out, at, pong.length);
                    at += pong.length;
                }
                if (work.ping()) {
                    at = Frame.header(out, at, ServerFrames.PING, 0);
                }
                if (text >= 0) {
                    at = Frame.header(out, at, ServerFrames.TEXT, text);
                    Frame.copyJoined(batch, 0, batch.size(), out, at);
                    at += text;
                }
                if (closePayload != null) {
                    at = Frame.header(out, at, ServerFrames.CLOSE, closePayload.length);
                    System.arraycopy(closePayload, 0, out, at, closePayload.length);
                }
                long nanos = write(out, close != null);
                if (text >= 0) {
                    trace.out(work.objects(), text, nanos);
                }
                if (close != null) {
                    if (close.failsConnection()) {
                        ws.closeSocket(); // the reader, blocked on the socket, then ends and cleans up
                    }
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // teardown: exit quietly
        } catch (RuntimeException e) {
            // The socket failed under us (reset, aborted by the watchdog, closed by the reader).
            onFailure.accept(e);
        }
    }

    private long write(byte[] frames, boolean close) {
        long start = System.nanoTime();
        writeStarted = start;
        writeBegins.run();
        try {
            ws.write(frames, close);
        } finally {
            writeStarted = 0;
            writeEnds.run();
        }
        return System.nanoTime() - start;
    }
}
