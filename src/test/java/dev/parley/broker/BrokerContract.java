package dev.parley.broker;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.parley.support.ChatClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What every {@link Broker} does, whatever keeps the rooms: run once against the in-memory broker
 * and once against a real Redis. Brokers are made with a history of {@link #HISTORY} messages.
 */
abstract class BrokerContract {
    static final int HISTORY = 8;

    final RecordingDelivery door = new RecordingDelivery();
    Broker broker;
    String room;

    /** A started broker whose history holds {@link #HISTORY} messages, handing deliveries to {@code door}. */
    abstract Broker newBroker(Delivery door);

    @BeforeEach
    void startBroker() throws Exception {
        broker = newBroker(door);
        room = "contract-" + System.nanoTime();
        broker.subscribe(room);
    }

    @AfterEach
    void closeBroker() {
        broker.close();
    }

    @Test
    void publishesGetConsecutiveSeqsInOneEpochAndReachTheDoorInOrder() throws Exception {
        Broker.Appended first = broker.publish(room, "alice", "one", "a1", 1);
        Broker.Appended second = broker.publish(room, "bob", "two \"quoted\" ✓", null, 2);
        Broker.Appended third = broker.publish(room, "alice", "three", "a3", 3);
        assertThat(List.of(first.seq(), second.seq(), third.seq())).containsExactly(1L, 2L, 3L);
        assertThat(second.epoch()).isEqualTo(first.epoch());
        assertThat(third.duplicate()).isFalse();

        await().atMost(ChatClient.WAIT).until(() -> door.messages(room).size() == 3);
        List<Message> got = door.messages(room);
        assertThat(got).extracting(Message::seq).containsExactly(1L, 2L, 3L);
        assertThat(got).extracting(Message::epoch).containsOnly(first.epoch());
        JsonNode m = ChatClient.JSON.readTree(got.get(1).frame().json());
        assertThat(m.path("type").asText()).isEqualTo("message");
        assertThat(m.path("room").asText()).isEqualTo(room);
        assertThat(m.path("seq").asLong()).isEqualTo(2);
        assertThat(m.path("from").asText()).isEqualTo("bob");
        assertThat(m.path("text").asText()).isEqualTo("two \"quoted\" ✓");
        assertThat(m.path("ts").asLong()).isEqualTo(2);
        assertThat(m.has("user")).isFalse();
    }

    /** A join lists at most MEMBERS_LISTED names of a big room, with the count; the rest are paged, each name once. */
    @Test
    void aBigRoomsNamesAreListedUpToALimitAndPagedInFull() throws Exception {
        int n = Broker.MEMBERS_LISTED * 10 + 37; // past any small encoding Redis returns whole
        java.util.Set<String> all = new java.util.TreeSet<>();
        for (int i = 0; i < n; i++) {
            String name = "member-" + i;
            all.add(name);
            broker.arrived(room, name);
        }
        Broker.Backlog b = broker.backlog(room, null, null, 0);
        assertThat(b.memberCount()).isEqualTo(n);
        assertThat(b.members()).hasSize(Broker.MEMBERS_LISTED).doesNotHaveDuplicates().isSubsetOf(all);

        java.util.List<String> paged = new java.util.ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Broker.Members page = broker.members(room, cursor);
            assertThat(page.count()).isEqualTo(n);
            assertThat(page.names().size()).isLessThanOrEqualTo(Broker.MEMBERS_LISTED * 2); // HSCAN's COUNT is a hint
            paged.addAll(page.names());
            cursor = page.next();
            pages++;
        } while (cursor != null && pages < 100);
        assertThat(cursor).as("the pages end").isNull();
        assertThat(new java.util.TreeSet<>(paged)).isEqualTo(all); // a quiet room: every name, none twice
        assertThat(paged).doesNotHaveDuplicates();
        assertThat(pages).isGreaterThan(1);
        assertThat(broker.members("no-such-room-" + System.nanoTime(), null).names()).isEmpty();
    }

    @Test
    void aVerifiedUserIdTravelsWithTheMessage() throws Exception {
        broker.publish(room, "Sam", "u-17", "hi", "s1", 5);
        await().atMost(ChatClient.WAIT).until(() -> door.messages(room).size() == 1);
        JsonNode m = ChatClient.JSON.readTree(door.messages(room).getFirst().frame().json());
        assertThat(m.path("from").asText()).isEqualTo("Sam");
        assertThat(m.path("user").asText()).isEqualTo("u-17");
        assertThat(broker.backlog(room, null, null, 5).messages().getFirst().frame().json()).contains("\"user\":\"u-17\"");
    }

    @Test
    void aRetriedIdIsAnsweredWithTheOriginalSeqAndNotSentAgain() throws Exception {
        Broker.Appended original = broker.publish(room, "alice", "hello", "x", 1);
        broker.publish(room, "alice", "something else", "y", 2);
        Broker.Appended retry = broker.publish(room, "alice", "hello", "x", 3);
        Broker.Appended otherSender = broker.publish(room, "bob", "hello", "x", 4);

        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.seq()).isEqualTo(original.seq());
        assertThat(otherSender.duplicate()).as("ids are per sender").isFalse();
        assertThat(otherSender.seq()).isEqualTo(3);
        await().atMost(ChatClient.WAIT).until(() -> door.messages(room).size() == 3);
        assertThat(door.messages(room)).extracting(Message::seq).containsExactly(1L, 2L, 3L);
    }

    @Test
    void anIdForgottenWithItsMessageIsANewMessage() throws Exception {
        broker.publish(room, "alice", "first", "old", 1);
        for (int i = 0; i < HISTORY; i++) {
            broker.publish(room, "alice", "filler " + i, null, 2);
        }
        Broker.Appended again = broker.publish(room, "alice", "first", "old", 3);
        assertThat(again.duplicate()).isFalse();
        assertThat(again.seq()).isEqualTo(HISTORY + 2);
    }

    @Test
    void aBacklogResumesExactlyWhatWasMissedWhileTheLogHoldsIt() throws Exception {
        String epoch = null;
        for (int i = 1; i <= 6; i++) {
            epoch = broker.publish(room, "alice", "m" + i, null, i).epoch();
        }
        Broker.Backlog resumed = broker.backlog(room, epoch, 3L, 2);
        assertThat(resumed.recovered()).isTrue();
        assertThat(resumed.head()).isEqualTo(6);
        assertThat(resumed.epoch()).isEqualTo(epoch);
        assertThat(resumed.messages()).extracting(Message::seq).containsExactly(4L, 5L, 6L);

        Broker.Backlog upToDate = broker.backlog(room, epoch, 6L, 2);
        assertThat(upToDate.recovered()).isTrue();
        assertThat(upToDate.messages()).isEmpty();

        Broker.Backlog otherEpoch = broker.backlog(room, "not-" + epoch, 3L, 2);
        assertThat(otherEpoch.recovered()).isFalse();
        assertThat(otherEpoch.messages()).extracting(Message::seq).containsExactly(5L, 6L);

        Broker.Backlog fresh = broker.backlog(room, null, null, 0);
        assertThat(fresh.recovered()).isFalse();
        assertThat(fresh.messages()).isEmpty();
    }

    @Test
    void aBacklogOlderThanTheLogIsNoRecovery() throws Exception {
        String epoch = null;
        for (int i = 1; i <= HISTORY + 3; i++) {
            epoch = broker.publish(room, "alice", "m" + i, null, i).epoch();
        }
        Broker.Backlog tooOld = broker.backlog(room, epoch, 2L, 3);
        assertThat(tooOld.recovered()).isFalse();
        assertThat(tooOld.messages()).extracting(Message::seq).containsExactly((long) HISTORY + 1, HISTORY + 2L, HISTORY + 3L);
        // The oldest seq still held resumes.
        Broker.Backlog justInTime = broker.backlog(room, epoch, 3L, 3);
        assertThat(justInTime.recovered()).isTrue();
        assertThat(justInTime.messages()).hasSize(HISTORY);
    }

    @Test
    void aNewRoomStartsAnEpochAtSeqZero() throws Exception {
        Broker.Backlog b = broker.backlog(room, null, null, 10);
        assertThat(b.head()).isZero();
        assertThat(b.epoch()).isNotBlank();
        assertThat(b.messages()).isEmpty();
        assertThat(broker.publish(room, "alice", "first", null, 1).epoch()).isEqualTo(b.epoch());
    }

    @Test
    void pagesWalkBackwardsUntilTheOldestHeld() throws Exception {
        for (int i = 1; i <= 7; i++) {
            broker.publish(room, "alice", "m" + i, null, i);
        }
        Broker.Page newest = broker.page(room, null, 3);
        assertThat(newest.messages()).extracting(Message::seq).containsExactly(5L, 6L, 7L);
        assertThat(newest.more()).isTrue();
        Broker.Page older = broker.page(room, 5L, 3);
        assertThat(older.messages()).extracting(Message::seq).containsExactly(2L, 3L, 4L);
        assertThat(older.more()).isTrue();
        Broker.Page oldest = broker.page(room, 2L, 3);
        assertThat(oldest.messages()).extracting(Message::seq).containsExactly(1L);
        assertThat(oldest.more()).isFalse();
        assertThat(broker.page("never-" + room, null, 3).messages()).isEmpty();
    }

    @Test
    void aRangeIsWhatTheLogHolds() throws Exception {
        for (int i = 1; i <= 5; i++) {
            broker.publish(room, "alice", "m" + i, null, i);
        }
        assertThat(broker.range(room, 2, 4)).extracting(Message::seq).containsExactly(2L, 3L, 4L);
        assertThat(broker.range(room, 4, 9)).extracting(Message::seq).containsExactly(4L, 5L);
    }

    @Test
    void presenceAnnouncesANamesFirstArrivalAndLastDeparture() throws Exception {
        broker.arrived(room, "alice");
        broker.arrived(room, "bob");
        await().atMost(ChatClient.WAIT).until(() -> door.presence(room).size() == 2);
        assertThat(broker.backlog(room, null, null, 0).members()).containsExactly("alice", "bob");
        broker.departed(room, "alice");
        await().atMost(ChatClient.WAIT).until(() -> door.presence(room).size() == 3);
        assertThat(door.presence(room)).containsExactly(
                new RecordingDelivery.Presence(room, true, "alice", 1),
                new RecordingDelivery.Presence(room, true, "bob", 2),
                new RecordingDelivery.Presence(room, false, "alice", 1));
        assertThat(broker.backlog(room, null, null, 0).members()).containsExactly("bob");
    }
}
