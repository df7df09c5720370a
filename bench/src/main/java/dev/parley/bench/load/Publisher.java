package dev.parley.bench.load;

import java.io.IOException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Publishes one sender's messages as fast as the server acknowledges them: a send takes a permit
 * of {@code inFlight}, its ack (or error) gives it back, so at most that many sends per sender
 * await their reply and the rate is what the server and its broker sustain, not what the
 * generator can write. The sender's rooms are used in turn.
 */
final class Publisher implements Runnable {

    private final int index;
    private final String[] rooms;
    private final Semaphore inFlight;
    private final long end;
    private final WsConnection connection;
    private final int textBytes;

    /** Written by the publishing thread only; read after it has been joined. */
    private long sent;
    private String failure;

    Publisher(int index, String[] rooms, Semaphore inFlight, long end, WsConnection connection, int textBytes) {
        this.index = index;
        this.rooms = rooms.clone();
        this.inFlight = inFlight;
        this.end = end;
        this.connection = connection;
        this.textBytes = textBytes;
    }

    @Override
    public void run() {
        StringBuilder json = new StringBuilder(textBytes + 160);
        try {
            for (long k = 0; ; k++) {
                long left = end - System.nanoTime();
                if (left <= 0 || !inFlight.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    return;
                }
                long now = System.nanoTime();
                json.setLength(0);
                json.append("{\"type\":\"send\",\"room\":\"").append(rooms[(int) (k % rooms.length)])
                        .append("\",\"text\":\"");
                int textStart = json.length();
                // The stamp is the send time: the members' copies count in the window they were sent in.
                json.append("t=").append(now).append(" s=").append(index).append(" n=").append(k).append(' ');
                while (json.length() - textStart < textBytes) {
                    json.append('x');
                }
                json.append("\",\"id\":\"p").append(index).append('-').append(k).append("\"}");
                connection.sendText(json.toString());
                sent++;
            }
        } catch (IOException e) {
            failure = "publisher " + index + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long sent() {
        return sent;
    }

    String failure() {
        return failure;
    }
}
