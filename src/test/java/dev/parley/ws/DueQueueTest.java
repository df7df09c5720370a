package dev.parley.ws;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DueQueueTest {
    @Test
    void firesWhatIsDueInOrderAndOnlyOnceWhenMovedEarlier() {
        DueQueue<String> q = new DueQueue<>();
        DueQueue.Due<String> a = new DueQueue.Due<>("a");
        DueQueue.Due<String> b = new DueQueue.Due<>("b");
        q.schedule(a, 300);
        q.schedule(b, 200);
        q.schedule(a, 100);  // earlier: a new entry, the one at 300 goes stale
        q.schedule(b, 250);  // later than its due time: ignored
        assertThat(q.due(50)).isEmpty();
        assertThat(q.due(200)).containsExactly("a", "b");
        assertThat(q.due(1_000)).as("the stale entry of a is dropped, not fired").isEmpty();
        assertThat(q.size()).isZero();
    }

    @Test
    void aFiredOwnerIsScheduledAgainFromScratch() {
        DueQueue<String> q = new DueQueue<>();
        DueQueue.Due<String> a = new DueQueue.Due<>("a");
        q.schedule(a, 100);
        assertThat(q.due(100)).containsExactly("a");
        q.schedule(a, 500); // later than before: allowed now that it fired
        assertThat(q.due(400)).isEmpty();
        assertThat(q.due(500)).containsExactly("a");
    }

    @Test
    void aReleasedOwnerIsNeverFiredAndNotScheduledAgain() {
        DueQueue<String> q = new DueQueue<>();
        DueQueue.Due<String> a = new DueQueue.Due<>("a");
        q.schedule(a, 100);
        a.release();
        q.schedule(a, 50);
        assertThat(q.due(1_000)).isEmpty();
        assertThat(q.size()).isZero();
    }

    @Test
    void orderFollowsNanoTimeAcrossWrapAround() {
        DueQueue<String> q = new DueQueue<>();
        DueQueue.Due<String> late = new DueQueue.Due<>("late");
        DueQueue.Due<String> early = new DueQueue.Due<>("early");
        q.schedule(late, Long.MIN_VALUE + 10); // just past the wrap: later than MAX_VALUE - 10
        q.schedule(early, Long.MAX_VALUE - 10);
        assertThat(q.due(Long.MAX_VALUE)).containsExactly("early");
        assertThat(q.due(Long.MIN_VALUE + 10)).containsExactly("late");
    }
}
