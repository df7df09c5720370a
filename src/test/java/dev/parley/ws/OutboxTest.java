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
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                taken.set(outbox.take(batch));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
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
}
