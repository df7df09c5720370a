package dev.parley.hub;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import dev.parley.broker.Broker;
import dev.parley.broker.Delivery;
import dev.parley.broker.Message;
import dev.parley.protocol.Encoder;
import dev.parley.protocol.Frame;
import dev.parley.support.ChatClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The join hand-over when the log is remote: the backlog is read without the room's lock, so it
 * may end before or after what the room has delivered. Driven directly, without coalescing
 * (write-delay 0), so each case is deterministic.
 */
class RoomHandOverTest {
    private static final String EPOCH = "e1";

    /** Collects what the room queues to it, one object per line. */
    static final class Collecting implements Subscriber {
        final List<JsonNode> got = new ArrayList<>();

        @Override
        public synchronized boolean offer(Frame frame) {
            for (String line : frame.json().split("\n")) {
                try {
                    got.add(ChatClient.JSON.readTree(line));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
            return true;
        }

        @Override
        public void offerAlways(Frame frame) {
            offer(frame);
        }

        @Override
        public void evictSlow() {
            throw new AssertionError("nothing here overflows");
        }

        synchronized List<Long> seqs() {
            return got.stream().filter(n -> "message".equals(n.path("type").asText())).map(n -> n.path("seq").asLong()).toList();
        }
    }

    private static Message message(String epoch, long seq) {
        return new Message("r", epoch, seq, "a", null, Encoder.message("r", seq, "a", "m" + seq, 0, null));
    }

    private static Broker.Backlog backlog(String epoch, long from, long head) {
        List<Message> ms = new ArrayList<>();
        for (long s = from; s <= head; s++) {
            ms.add(message(epoch, s));
        }
        return new Broker.Backlog(epoch, head, false, ms, List.of("a"));
    }

    private static Room roomWithMember(Collecting first) {
        Room room = new Room("r", 0, System.nanoTime());
        room.reserve("first");
        assertThat(room.admit(first, "first", 0, backlog(EPOCH, 1, 0))).isNotNull();
        return room;
    }

    @Test
    void aBacklogOlderThanWhatTheRoomDeliveredIsReadAgain() {
        Collecting first = new Collecting();
        Room room = roomWithMember(first);
        for (long s = 1; s <= 3; s++) {
            assertThat(room.deliver(message(EPOCH, s)).kind()).isEqualTo(Delivery.Kind.DELIVERED);
        }
        Collecting joiner = new Collecting();
        room.reserve("joiner");
        assertThat(room.admit(joiner, "joiner", 0, backlog(EPOCH, 1, 2))).as("stale: ends at 2, room delivered 3").isNull();
        assertThat(joiner.got).isEmpty();
        assertThat(room.admit(joiner, "joiner", 0, backlog(EPOCH, 1, 3))).isNotNull();
        room.deliver(message(EPOCH, 4));
        assertThat(joiner.seqs()).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void aBacklogAheadOfTheLiveStreamSkipsWhatItAlreadyHeld() {
        Collecting first = new Collecting();
        Room room = roomWithMember(first);
        room.deliver(message(EPOCH, 1));
        Collecting joiner = new Collecting();
        room.reserve("joiner");
        assertThat(room.admit(joiner, "joiner", 0, backlog(EPOCH, 1, 3))).isNotNull(); // the log is at 3, the room at 1
        for (long s = 2; s <= 5; s++) {
            room.deliver(message(EPOCH, s));
        }
        assertThat(joiner.seqs()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(first.seqs()).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aBacklogAheadOfTheLiveStreamSkipsItInABatchToo() {
        Collecting first = new Collecting();
        Room room = new Room("r", java.time.Duration.ofHours(1).toNanos(), System.nanoTime()); // every batch waits for flushNow
        room.reserve("first");
        room.admit(first, "first", 0, backlog(EPOCH, 1, 0));
        room.deliver(message(EPOCH, 1)); // a quiet room: at once
        Collecting joiner = new Collecting();
        room.reserve("joiner");
        room.admit(joiner, "joiner", 0, backlog(EPOCH, 1, 3));
        for (long s = 2; s <= 4; s++) {
            room.deliver(message(EPOCH, s)); // pending in one batch
        }
        assertThat(joiner.seqs()).containsExactly(1L, 2L, 3L);
        room.flushNow();
        assertThat(joiner.seqs()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(first.seqs()).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void presenceChangesDuringAJoinReachTheJoinerUnlessItsMemberListHasThem() {
        Collecting first = new Collecting();
        Room room = new Room("r", 0, System.nanoTime());
        room.reserve("a");
        room.admit(first, "a", 0, new Broker.Backlog(EPOCH, 0, false, List.of(), List.of("a")));
        Collecting joiner = new Collecting();
        Room.Reservation place = room.reserve("joiner");
        room.presence(true, "joiner", 2);
        room.presence(true, "b", 3); // before the joiner's list was read: it is in the list
        Broker.Backlog read = new Broker.Backlog(EPOCH, 0, false, List.of(), List.of("a", "b", "joiner"));
        room.presence(true, "c", 4); // after the read, before the admission
        room.presence(false, "a", 3);
        room.admit(joiner, "joiner", place.presenceMark(), read);
        room.presence(true, "d", 4); // a member now: live

        assertThat(joiner.got).extracting(n -> n.path("type").asText() + " " + n.path("name").asText()
                + " " + n.path("event").asText()).containsExactly(
                "joined  ", "presence c join", "presence a leave", "presence d join");
        assertThat(first.got).extracting(n -> n.path("name").asText())
                .containsExactly("", "joiner", "b", "c", "a", "d");
    }

    @Test
    void duplicatesAreDroppedAndGapsReportedNotDelivered() {
        Collecting first = new Collecting();
        Room room = roomWithMember(first);
        room.deliver(message(EPOCH, 1));
        assertThat(room.deliver(message(EPOCH, 1)).kind()).isEqualTo(Delivery.Kind.DUPLICATE);
        Delivery.Result gap = room.deliver(message(EPOCH, 3));
        assertThat(gap.kind()).isEqualTo(Delivery.Kind.GAP);
        assertThat(gap.last()).isEqualTo(1);
        assertThat(room.deliver(message("e2", 1)).kind()).isEqualTo(Delivery.Kind.EPOCH);
        assertThat(first.seqs()).containsExactly(1L);
    }

    @Test
    void aRebaseHandsEveryMemberTheRoomAfresh() {
        Collecting first = new Collecting();
        Room room = roomWithMember(first);
        room.deliver(message(EPOCH, 1));
        assertThat(room.rebase(backlog("e2", 1, 2))).isTrue();
        JsonNode rejoined = first.got.stream().filter(n -> "joined".equals(n.path("type").asText())).toList().getLast();
        assertThat(rejoined.path("reset").asBoolean()).isTrue();
        assertThat(rejoined.path("epoch").asText()).isEqualTo("e2");
        assertThat(rejoined.path("recovered").asBoolean()).isFalse();
        assertThat(room.deliver(message("e2", 3)).kind()).isEqualTo(Delivery.Kind.DELIVERED);
        assertThat(room.position("e2")).isEqualTo(3);
        assertThat(room.position(EPOCH)).isEqualTo(Delivery.NO_POSITION);
    }
}
