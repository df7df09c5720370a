package dev.parley.admin;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.parley.broker.Broker;
import dev.parley.broker.BrokerUnavailable;
import dev.parley.hub.Hub;
import dev.parley.hub.Room;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Frame;
import dev.parley.protocol.ProtocolError;

/**
 * What the back-end API needs of the hub and its broker, in one place, so that a change of their
 * surface changes this file only. Thread-safe: the hub and the broker are.
 */
final class HubAccess {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Hub hub;

    HubAccess(Hub hub) {
        this.hub = hub;
    }

    /**
     * Publishes as {@code from} through the hub's own door, exactly like a WebSocket {@code send}:
     * the same seq order, fan-out (through the broker to every node), idempotency by id and
     * refusals ({@code unavailable} during an outage or a drain). The room need not have members.
     */
    Posted publish(String room, String from, String text, String id) throws ProtocolError {
        Room.Published p = hub.publish(room, from, text, id);
        return new Posted(p, p.epoch());
    }

    record Posted(Room.Published published, String epoch) {
    }

    /** The room's log as every node sees it: epoch, head seq, members (cluster-wide presence). */
    State state(String room) throws ProtocolError {
        try {
            Broker.Backlog b = hub.broker().backlog(room, null, null, 0);
            return new State(b.epoch(), b.head(), b.members());
        } catch (BrokerUnavailable e) {
            throw new ProtocolError(ErrorCode.UNAVAILABLE, null, room);
        }
    }

    record State(String epoch, long head, List<String> members) {
    }

    /** This node's connections in a room (0 when it has none here). */
    int localConnections(String room) {
        Room r = hub.room(room);
        return r == null ? 0 : r.size();
    }

    /** Rooms with members on this node. */
    List<String> localRooms() {
        return hub.roomNames();
    }

    Optional<Room> localRoom(String name) {
        return Optional.ofNullable(hub.room(name));
    }

    /** A history page, as the WebSocket {@code history} answer carries it. */
    JsonNode historyJson(String room, Long before, int limit) throws ProtocolError {
        Frame f = hub.history(room, before, limit);
        byte[] bytes = new byte[f.bytes()];
        f.copyTo(bytes, 0);
        try {
            return JSON.readTree(bytes);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the hub encodes valid JSON", e);
        }
    }
}
