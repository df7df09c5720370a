package dev.parley.ws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.parley.protocol.Frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class OutboxTest {
    /** A writer that comes for work while the outbox is held waits, and takes all that was queued at once. */
    @Test
    void aHeldOutboxGivesItsWriterNothingUntilReleased() throws Exception {
        Outbox outbox = new Outbox(100, 1 << 20, Frame.MAX_BATCH_BYTES);
        outbox.hold();
        outbox.offer(Frame.of("{\"type\":\"message\"}"));
        List<Frame> batch = new ArrayList<>();
        AtomicReference<Outbox.Work> taken = new AtomicReference<>();
        Thread writer = takeOnAThread(outbox, batch, taken);
        // A frame is queued, yet the writer waits: without the hold it would take that frame alone.
        await().atMost(Duration.ofSeconds(10)).until(() -> writer.getState() == Thread.State.WAITING);
        outbox.offer(Frame.of("{\"type\":\"ack\"}"));
        outbox.release();
        writer.join(Duration.ofSeconds(10));
        assertThat(taken.get().frames()).isEqualTo(2);
        assertThat(batch).extracting(Frame::json).containsExactly("{\"type\":\"message\"}", "{\"type\":\"ack\"}");
    }

    /** A close is never held up by a hold. */
    @Test
    void aCloseGoesOutThroughAHold() throws Exception {
        Outbox outbox = new Outbox(100, 1 << 20, Frame.MAX_BATCH_BYTES);
        outbox.hold();
        outbox.close(dev.parley.protocol.CloseReason.SHUTDOWN, false);
        Outbox.Work w = outbox.take(new ArrayList<>());
        assertThat(w.close()).isEqualTo(dev.parley.protocol.CloseReason.SHUTDOWN);
    }

    /**
     * An outbox whose writer the test runs by hand: each start is counted and handed to the test
     * instead of running, so the test sees what a writer would take and when it would end.
     */
    private static Outbox onDemand(java.util.concurrent.atomic.AtomicInteger starts) {
        return new Outbox(100, 1 << 20, Frame.MAX_BATCH_BYTES, () -> {
            starts.incrementAndGet();
            return Thread.currentThread();
        }, Duration.ofMinutes(1), at -> { });
    }

    /** A writer started for a heartbeat ping ends once the ping is written, not a writer-idle period later. */
    @Test
    void aWriterStartedForAPingAloneEndsOnceItIsWritten() throws Exception {
        var starts = new java.util.concurrent.atomic.AtomicInteger();
        Outbox outbox = onDemand(starts);
        outbox.ping();
        assertThat(starts).hasValue(1);
        assertThat(outbox.take(new ArrayList<>()).ping()).isTrue();
        // Nothing else queued: it stops at once (without the one-shot rule take() would wait for work).
        AtomicReference<Outbox.Work> after = new AtomicReference<>();
        Thread pinger = takeOnAThread(outbox, new ArrayList<>(), after);
        assertThat(pinger.join(Duration.ofSeconds(10))).as("the ping's writer ended").isTrue();
        assertThat(after.get().stop()).isTrue();
        assertThat(outbox.writer()).isNull();
        // The next frame starts a new writer, and that one stays for more work.
        outbox.offer(Frame.of("{\"type\":\"message\"}"));
        assertThat(starts).hasValue(2);
        assertThat(outbox.take(new ArrayList<>()).frames()).isEqualTo(1);
        List<Frame> batch = new ArrayList<>();
        AtomicReference<Outbox.Work> taken = new AtomicReference<>();
        Thread waiting = takeOnAThread(outbox, batch, taken);
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting.getState() == Thread.State.WAITING);
        outbox.ping(); // a ping for a writer that is there joins its work; it does not make it a one-shot
        waiting.join(Duration.ofSeconds(10));
        assertThat(taken.get().ping()).isTrue();
        assertThat(taken.get().stop()).isFalse();
        assertThat(starts).hasValue(2);
    }

    /** A frame that arrives while a ping's writer is still running keeps that writer: it takes the frame. */
    @Test
    void aFrameQueuedBehindAPingKeepsThePingsWriter() throws Exception {
        var starts = new java.util.concurrent.atomic.AtomicInteger();
        Outbox outbox = onDemand(starts);
        outbox.ping();
        assertThat(outbox.take(new ArrayList<>()).ping()).isTrue();
        outbox.offer(Frame.of("{\"type\":\"message\"}"));
        Outbox.Work next = outbox.take(new ArrayList<>());
        assertThat(next.stop()).isFalse();
        assertThat(next.frames()).isEqualTo(1);
        assertThat(starts).hasValue(1);
    }

    /** A writer's take() on a thread of its own; what it takes lands in {@code taken}. */
    private static Thread takeOnAThread(Outbox outbox, List<Frame> batch, AtomicReference<Outbox.Work> taken) {
        return Thread.ofVirtual().start(() -> {
            try {
                taken.set(outbox.take(batch));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
