package dev.parley.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerTextScannerTest {

    private static final class Seen implements ServerTextScanner.Listener {
        final List<String> events = new ArrayList<>();

        @Override
        public void onStamped(long sentNanos, int sender, long counter, long nowNanos) {
            events.add("stamp " + sentNanos + " " + sender + " " + counter + " @" + nowNanos);
        }

        @Override
        public void onForeignMessage() {
            events.add("foreign");
        }

        @Override
        public void onHello() {
            events.add("hello");
        }

        @Override
        public void onJoined(int members) {
            events.add("joined " + members);
        }

        @Override
        public void onAck() {
            events.add("ack");
        }

        @Override
        public void onPresence(int count) {
            events.add("presence " + count);
        }

        @Override
        public void onError(String code) {
            events.add("error " + code);
        }
    }

    private static List<String> scan(String frame) {
        byte[] b = ("##" + frame).getBytes(StandardCharsets.UTF_8); // scanning starts at an offset
        Seen seen = new Seen();
        ServerTextScanner.scan(b, 2, b.length - 2, 99, seen);
        return seen.events;
    }

    @Test
    void findsEveryObjectOfACoalescedFrame() {
        String frame = String.join("\n",
                "{\"type\":\"message\",\"room\":\"r\",\"seq\":7,\"from\":\"s0\",\"text\":\"t=123456789 s=3 n=41 xxxx\",\"ts\":1,\"id\":\"s3-41\"}",
                "{\"type\":\"ack\",\"room\":\"r\",\"seq\":7,\"id\":\"s3-41\"}",
                "{\"type\":\"message\",\"room\":\"r\",\"seq\":8,\"from\":\"bob\",\"text\":\"hi there\",\"ts\":2}",
                "{\"type\":\"presence\",\"room\":\"r\",\"event\":\"join\",\"name\":\"x\",\"count\":3}");

        assertEquals(List.of("stamp 123456789 3 41 @99", "ack", "foreign", "presence 3"), scan(frame));
    }

    @Test
    void readsNegativeStampsBecauseNanoTimeMayBeNegative() {
        assertEquals(List.of("stamp -42 0 0 @99"),
                scan("{\"type\":\"message\",\"text\":\"t=-42 s=0 n=0 x\"}"));
    }

    @Test
    void toleratesSpacesAroundColonsAndAnyFieldOrder() {
        assertEquals(List.of("stamp 5 1 2 @99"),
                scan("{\"text\" : \"t=5 s=1 n=2 pad\", \"type\" : \"message\"}"));
    }

    @Test
    void recognisesHelloJoinedAndErrorCodes() {
        String frame = String.join("\n",
                "{\"type\":\"hello\",\"session\":\"s-1\",\"protocol\":1,\"heartbeat\":25,\"maxText\":4000}",
                "{\"type\":\"joined\",\"room\":\"r\",\"seq\":0,\"epoch\":\"e\",\"recovered\":false,\"members\":[]}",
                "{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"Too many\",\"ref\":\"c-1\"}");

        assertEquals(List.of("hello", "joined 0", "error rate_limited"), scan(frame));
    }

    @Test
    void countsTheNamesOfAJoinedListWhateverTheyHold() {
        assertEquals(List.of("joined 3"), scan("{\"type\":\"joined\",\"room\":\"r\",\"seq\":0,\"epoch\":\"e\","
                + "\"recovered\":false,\"members\":[\"a\", \"b \\\"]\\\" c\",\"[,]\"]}"));
        assertEquals(List.of("joined -1"), scan("{\"type\":\"joined\",\"room\":\"r\"}"));
        assertEquals(List.of("joined -1"), scan("{\"type\":\"joined\",\"members\":[\"cut off"));
    }

    /** A big room lists some names and counts them all: the count is the room's size. */
    @Test
    void aJoinedCountBeyondItsListIsTheRoomsSize() {
        assertEquals(List.of("joined 250"), scan("{\"type\":\"joined\",\"room\":\"r\",\"seq\":0,\"epoch\":\"e\","
                + "\"recovered\":false,\"members\":[\"a\",\"b\"],\"count\":250}"));
        assertEquals(List.of("joined 2"), scan("{\"type\":\"joined\",\"members\":[\"a\",\"b\"],\"count\":2}"));
    }

    @Test
    void readsThePresenceCount() {
        assertEquals(List.of("presence 10000", "presence -1"), scan(String.join("\n",
                "{\"type\":\"presence\",\"room\":\"r\",\"event\":\"leave\",\"name\":\"x\",\"count\": 10000}",
                "{\"type\":\"presence\",\"room\":\"r\",\"event\":\"join\",\"name\":\"x\"}")));
    }

    @Test
    void treatsAMalformedStampAsForeign() {
        assertEquals(List.of("foreign"), scan("{\"type\":\"message\",\"text\":\"t=12 s=x n=1\"}"));
    }
}
