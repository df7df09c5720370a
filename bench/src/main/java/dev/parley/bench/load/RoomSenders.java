package dev.parley.bench.load;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The senders of a rooms run, all driven by one thread on the schedule of a {@link RoomPacing}:
 * one room's sender per send. Each text is stamped {@code t=<due> s=0 n=<k>} (every room has
 * one sender, so its members check one counter) and carries the due time, not the moment of the
 * write, so a send that goes out late counts as latency (as in {@link Sender}).
 *
 * <p>Why one thread and not one per room: the senders' connections are read by the reactors like
 * every other member, in non-blocking mode, where a write never blocks (what the socket does not
 * take waits in the connection's buffer for the reactor), so one thread keeps thousands of rooms
 * on time without thousands of timers. With {@code --io vt} the writes block instead; a server
 * that stops reading one sender then delays the others, which the send lag shows.
 */
final class RoomSenders implements Runnable {

    private final RoomPacing pacing;
    private final long end;
    private final Window window;
    /** Per room, its sender's connection; null for a room whose sender did not join. */
    private final WsConnection[] senders;
    private final String[] rooms;
    private final int textBytes;

    /** Written by the sending thread only; read after it has been joined. */
    private final long[] sent;
    private final long[] sentInWindow;
    private final Histogram lagMicros = new Histogram(PeerStats.MAX_LATENCY_MICROS, 3);
    private int failures;
    private String firstFailure;

    RoomSenders(RoomPacing pacing, long end, Window window, WsConnection[] senders, String[] rooms, int textBytes) {
        this.pacing = pacing;
        this.end = end;
        this.window = window;
        this.senders = senders.clone();
        this.rooms = rooms;
        this.textBytes = textBytes;
        this.sent = new long[senders.length];
        this.sentInWindow = new long[senders.length];
    }

    @Override
    public void run() {
        StringBuilder json = new StringBuilder(textBytes + 128);
        for (RoomPacing.Send s; (s = pacing.next()) != null; ) {
            long due = s.dueNanos();
            if (due - end >= 0) {
                return;
            }
            WsConnection c = senders[s.room()];
            if (c == null) {
                continue;
            }
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            json.setLength(0);
            json.append("{\"type\":\"send\",\"room\":\"").append(rooms[s.room()]).append("\",\"text\":\"");
            int textStart = json.length();
            json.append("t=").append(due).append(" s=0 n=").append(s.counter()).append(' ');
            while (json.length() - textStart < textBytes) {
                json.append('x');
            }
            json.append("\",\"id\":\"r").append(s.room()).append('-').append(s.counter()).append("\"}");
            try {
                c.sendText(json.toString());
            } catch (IOException e) {
                // This room's sender is gone (its members' shortfall shows it); the others go on.
                senders[s.room()] = null;
                if (failures++ == 0) {
                    firstFailure = "room " + s.room() + ": " + e.getMessage();
                }
                continue;
            }
            sent[s.room()]++;
            if (window.contains(due)) {
                sentInWindow[s.room()]++;
            }
            long lag = (System.nanoTime() - due) / 1000;
            lagMicros.recordValue(Math.max(0, Math.min(lag, PeerStats.MAX_LATENCY_MICROS)));
        }
    }

    /** Per room, messages sent whose due time lies in the window. */
    long[] sentInWindow() {
        return sentInWindow;
    }

    long sentTotal() {
        long total = 0;
        for (long n : sent) {
            total += n;
        }
        return total;
    }

    Histogram lagMicros() {
        return lagMicros;
    }

    /** Senders that failed to write (their rooms stopped sending); {@link #firstFailure} says why. */
    int failures() {
        return failures;
    }

    String firstFailure() {
        return firstFailure == null ? "" : firstFailure;
    }
}
