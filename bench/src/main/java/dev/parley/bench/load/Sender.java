package dev.parley.bench.load;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Sends one sender's share of the total rate, on a fixed schedule.
 *
 * <p>Message k of sender i (of S) is due at {@code t0 + (k*S + i) / R}: the senders interleave
 * into one evenly spaced stream of R messages a second, and each due time is absolute, so a late
 * send does not push every later one back (sleep(1/R) in a loop would drift and under-send).
 *
 * <p>The stamp carries the due time, not the moment of the write: if the server pushes back and
 * a write blocks, the wait counts as latency rather than silently lowering the rate (the
 * "coordinated omission" trap). {@link #lagMicros} shows how late the writes actually went out,
 * which also tells whether the generator itself kept up.
 */
final class Sender implements Runnable {

    private final int index;
    private final int senders;
    private final double rate;
    private final long t0;
    private final long end;
    private final Window window;
    private final WsConnection connection;
    private final String room;
    private final int textBytes;

    /** Written by the sending thread only; read after it has been joined. */
    private long sent;
    private long sentInWindow;
    private final Histogram lagMicros = new Histogram(PeerStats.MAX_LATENCY_MICROS, 3);
    private String failure;

    Sender(int index, int senders, double rate, long t0, long end, Window window,
           WsConnection connection, String room, int textBytes) {
        this.index = index;
        this.senders = senders;
        this.rate = rate;
        this.t0 = t0;
        this.end = end;
        this.window = window;
        this.connection = connection;
        this.room = room;
        this.textBytes = textBytes;
    }

    @Override
    public void run() {
        StringBuilder json = new StringBuilder(textBytes + 96);
        for (long k = 0; ; k++) {
            long due = t0 + (long) ((k * senders + index) * 1e9 / rate);
            if (due - end >= 0) {
                return;
            }
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            json.setLength(0);
            json.append("{\"type\":\"send\",\"room\":\"").append(room).append("\",\"text\":\"");
            int textStart = json.length();
            json.append("t=").append(due).append(" s=").append(index).append(" n=").append(k).append(' ');
            while (json.length() - textStart < textBytes) {
                json.append('x');
            }
            json.append("\",\"id\":\"s").append(index).append('-').append(k).append("\"}");
            try {
                connection.sendText(json.toString());
            } catch (IOException e) {
                failure = "sender " + index + ": " + e.getMessage();
                return;
            }
            sent++;
            if (window.contains(due)) {
                sentInWindow++;
            }
            long lag = (System.nanoTime() - due) / 1000;
            lagMicros.recordValue(Math.max(0, Math.min(lag, PeerStats.MAX_LATENCY_MICROS)));
        }
    }

    long sent() {
        return sent;
    }

    long sentInWindow() {
        return sentInWindow;
    }

    Histogram lagMicros() {
        return lagMicros;
    }

    String failure() {
        return failure;
    }

    static long secondsToNanos(double seconds) {
        return (long) (seconds * TimeUnit.SECONDS.toNanos(1));
    }
}
