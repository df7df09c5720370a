package dev.parley.admin;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.parley.hub.Hub;
import dev.parley.hub.Room;
import dev.parley.protocol.Frame;

/**
 * What the back-end API needs of the hub, in one place, so that a change of the hub's surface
 * changes this file only.
 *
 * <p>TODO(hub): three methods wait for a Hub method that does not exist yet (see each).
 */
final class HubAccess {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Hub hub;

    HubAccess(Hub hub) {
        this.hub = hub;
    }

    /**
     * Publishes as {@code from}, exactly like a WebSocket {@code send} (same seq order, fan-out,
     * idempotency by id). Empty when this node holds no such room.
     *
     * <p>TODO(hub): should be {@code hub.publishExternal(room, from, text, id)}, which creates
     * the room when absent (under the rooms cap, throwing ProtocolError ROOM_LIMIT like join) and
     * publishes; then this never returns empty and a back end can post to a room no one has
     * joined yet. {@code Hub.publish} throws for an unknown room today, so until then such a post
     * is answered 404.
     */
    Optional<Posted> publish(String room, String from, String text, String id) {
        Room r = hub.room(room);
        if (r == null) {
            return Optional.empty();
        }
        try {
            Room.Published p = hub.publish(room, from, text, id);
            return Optional.of(new Posted(p, r.epoch()));
        } catch (IllegalStateException droppedMeanwhile) {
            return Optional.empty();
        }
    }

    record Posted(Room.Published published, String epoch) {
    }

    Optional<Room> room(String name) {
        return Optional.ofNullable(hub.room(name));
    }

    /** The newest seq of a room, read from its newest history entry (0 when it holds none). TODO(hub): {@code Room.head()}. */
    long head(String room) {
        JsonNode page = historyJson(room, null, 1);
        JsonNode messages = page.path("messages");
        return messages.isEmpty() ? 0 : messages.get(messages.size() - 1).path("seq").asLong();
    }

    /** A history page, as the WebSocket {@code history} answer carries it. */
    JsonNode historyJson(String room, Long before, int limit) {
        Frame f = hub.history(room, before, limit);
        byte[] bytes = new byte[f.bytes()];
        f.copyTo(bytes, 0);
        try {
            return JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the hub encodes valid JSON", e);
        }
    }

    /** Every room on this node. TODO(hub): needs {@code Hub.rooms()} (a snapshot of the rooms); until then, null. */
    java.util.Collection<Room> rooms() {
        return null;
    }
}
