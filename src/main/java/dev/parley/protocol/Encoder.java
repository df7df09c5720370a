package dev.parley.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;

/**
 * Builds server objects. Each returns a {@link Frame} that is encoded once and then shared by
 * every outbox it is offered to. Field order follows docs/protocol.md.
 */
public final class Encoder {
    /**
     * Jackson's buffers come from a few shared, thread-safe recyclers (picked by thread id), not
     * from one cached per thread nor fresh per object. Per thread (Jackson's default) a virtual
     * thread per connection kept 16 KB alive for the connection's life (JFR old-object samples of
     * 15,000 idle connections); fresh per object, every encode and decode allocated and zeroed
     * ~12 KB — the largest share of CPU in a chat of many small rooms (JFR of bench `rooms`:
     * Jackson buffer allocation ~30 % of samples). A {@link BufferRecycler} hands each buffer out
     * with an atomic swap, so sharing it is safe; two threads on one stripe at once just allocate.
     * Source locations are off too: an error never quotes the client's input back.
     */
    static final JsonFactory JSON = new JsonFactory(new JsonFactoryBuilder()
            .disable(JsonFactory.Feature.USE_THREAD_LOCAL_FOR_BUFFER_RECYCLING)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)) {
        private static final BufferRecycler[] RECYCLERS = java.util.stream.Stream.generate(BufferRecycler::new)
                .limit(16).toArray(BufferRecycler[]::new);

        @Override
        public BufferRecycler _getBufferRecycler() {
            return RECYCLERS[(int) (Thread.currentThread().threadId() & (RECYCLERS.length - 1))];
        }
    };

    private Encoder() {
    }

    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static Frame object(String type, Body body) {
        // Straight to UTF-8: the bytes are what every outbox and socket write uses.
        ByteArrayBuilder out = new ByteArrayBuilder(128);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("type", type);
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory buffer does not fail
        }
        return Frame.wrap(out.toByteArray());
    }

    public static Frame hello(String session, int protocol, long heartbeatSeconds, int maxText) {
        return hello(session, protocol, heartbeatSeconds, maxText, 0, 0);
    }

    /** {@code rate} (sends per second) and {@code burst} let clients pace themselves; 0 leaves them out. */
    public static Frame hello(String session, int protocol, long heartbeatSeconds, int maxText, double rate, int burst) {
        return hello(session, protocol, heartbeatSeconds, maxText, rate, burst, null, null);
    }

    /** With {@code auth} ("jwt") the client must send {@code auth} first; {@code tokenUrl} is where the page gets one. */
    public static Frame hello(String session, int protocol, long heartbeatSeconds, int maxText, double rate, int burst,
                              String auth, String tokenUrl) {
        return object("hello", g -> {
            g.writeStringField("session", session);
            g.writeNumberField("protocol", protocol);
            g.writeNumberField("heartbeat", heartbeatSeconds);
            g.writeNumberField("maxText", maxText);
            if (rate > 0) {
                g.writeNumberField("rate", rate);
                g.writeNumberField("burst", burst);
            }
            if (auth != null) {
                g.writeStringField("auth", auth);
            }
            if (tokenUrl != null) {
                g.writeStringField("tokenUrl", tokenUrl);
            }
        });
    }

    public static Frame joined(String room, long seq, String epoch, boolean recovered, Collection<String> members) {
        return joined(room, seq, epoch, recovered, false, members, members.size());
    }

    /** {@code members}: the first names of {@code count} (a big room lists some, the rest are paged). */
    public static Frame joined(String room, long seq, String epoch, boolean recovered, Collection<String> members, int count) {
        return joined(room, seq, epoch, recovered, false, members, count);
    }

    /**
     * A {@code joined} for a member already in the room: the room's log began again or lost
     * messages, so the client starts the room over from this, as after a reconnect.
     */
    public static Frame rejoined(String room, long seq, String epoch, Collection<String> members, int count) {
        return joined(room, seq, epoch, false, true, members, count);
    }

    private static Frame joined(String room, long seq, String epoch, boolean recovered, boolean reset,
                                Collection<String> members, int count) {
        return object("joined", g -> {
            g.writeStringField("room", room);
            g.writeNumberField("seq", seq);
            g.writeStringField("epoch", epoch);
            g.writeBooleanField("recovered", recovered);
            if (reset) {
                g.writeBooleanField("reset", true);
            }
            g.writeArrayFieldStart("members");
            for (String m : members) {
                g.writeString(m);
            }
            g.writeEndArray();
            g.writeNumberField("count", Math.max(count, members.size()));
        });
    }

    /** A page of a room's names; {@code next} (null at the end) asks for the page after it. */
    public static Frame members(String room, Collection<String> names, String next, int count) {
        return object("members", g -> {
            g.writeStringField("room", room);
            g.writeArrayFieldStart("names");
            for (String m : names) {
                g.writeString(m);
            }
            g.writeEndArray();
            if (next != null) {
                g.writeStringField("next", next);
            }
            g.writeNumberField("count", count);
        });
    }

    /**
     * Presence changes of a big room since the last batch: who came and who went (at most
     * {@code listed} names each; {@code more} changes were not named), and the count now.
     */
    public static Frame presenceBatch(String room, Collection<String> joined, Collection<String> left, int more, int count) {
        return object("presence", g -> {
            g.writeStringField("room", room);
            g.writeStringField("event", "batch");
            g.writeArrayFieldStart("joined");
            for (String m : joined) {
                g.writeString(m);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("left");
            for (String m : left) {
                g.writeString(m);
            }
            g.writeEndArray();
            g.writeNumberField("more", more);
            g.writeNumberField("count", count);
        });
    }

    public static Frame message(String room, long seq, String from, String text, long ts, String id) {
        return message(room, seq, from, null, text, ts, id);
    }

    /** {@code user}: the sender's verified id (signed identities), or null. */
    public static Frame message(String room, long seq, String from, String user, String text, long ts, String id) {
        return object("message", g -> {
            g.writeStringField("room", room);
            g.writeNumberField("seq", seq);
            g.writeStringField("from", from);
            if (user != null) {
                g.writeStringField("user", user);
            }
            g.writeStringField("text", text);
            g.writeNumberField("ts", ts);
            if (id != null) {
                g.writeStringField("id", id);
            }
        });
    }

    public static Frame ack(String room, long seq, String id) {
        return object("ack", g -> {
            g.writeStringField("room", room);
            g.writeNumberField("seq", seq);
            if (id != null) {
                g.writeStringField("id", id);
            }
        });
    }

    public static Frame presence(String room, boolean joined, String name, int count) {
        return object("presence", g -> {
            g.writeStringField("room", room);
            g.writeStringField("event", joined ? "join" : "leave");
            g.writeStringField("name", name);
            g.writeNumberField("count", count);
        });
    }

    public static Frame typing(String room, String name) {
        return object("typing", g -> {
            g.writeStringField("room", room);
            g.writeStringField("name", name);
        });
    }

    public static Frame left(String room) {
        return object("left", g -> g.writeStringField("room", room));
    }

    /** The messages are already-encoded {@code message} objects: they are spliced in, not re-encoded. */
    public static Frame history(String room, List<Frame> messages, boolean more) {
        // Room names match [A-Za-z0-9_.-]+, so they need no escaping.
        byte[] head = ("{\"type\":\"history\",\"room\":\"" + room + "\",\"messages\":[").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("],\"more\":" + more + "}").getBytes(StandardCharsets.US_ASCII);
        int size = head.length + tail.length + Math.max(0, messages.size() - 1);
        for (Frame m : messages) {
            size += m.bytes();
        }
        byte[] out = new byte[size];
        System.arraycopy(head, 0, out, 0, head.length);
        int at = head.length;
        for (int i = 0; i < messages.size(); i++) {
            if (i > 0) {
                out[at++] = ',';
            }
            at = messages.get(i).copyTo(out, at);
        }
        System.arraycopy(tail, 0, out, at, tail.length);
        return Frame.wrap(out);
    }

    /** The answer to a verified {@code auth}: who the server now takes the client to be, until {@code exp}. */
    public static Frame authenticated(String user, String name, long exp) {
        return object("authenticated", g -> {
            g.writeStringField("user", user);
            g.writeStringField("name", name);
            g.writeNumberField("exp", exp);
        });
    }

    /** The token expires in {@code seconds}: send a fresh {@code auth}. */
    public static Frame authExpiring(long seconds) {
        return object("auth_expiring", g -> g.writeNumberField("in", seconds));
    }

    public static Frame pong() {
        return PONG;
    }

    public static Frame error(ErrorCode code, String message, String ref, String room) {
        return object("error", g -> {
            g.writeStringField("code", code.code());
            g.writeStringField("message", message);
            if (ref != null) {
                g.writeStringField("ref", ref);
            }
            if (room != null) {
                g.writeStringField("room", room);
            }
        });
    }

    private static final Frame PONG = object("pong", g -> { });
}
