package dev.parley.admin;

import java.util.Optional;

import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaTypes;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.parley.config.AccessConfig;
import dev.parley.config.ParleyConfig;
import dev.parley.hub.Hub;
import dev.parley.hub.Room;
import dev.parley.protocol.Decoder;
import dev.parley.protocol.ErrorCode;
import dev.parley.protocol.Inbound;
import dev.parley.protocol.ProtocolError;

/**
 * The back-end API on the admin socket (docs/api.md): post a message to a room as a named
 * sender, look at rooms and their history. Every request needs one of {@code parley.api.keys}
 * as a bearer token and is rate-limited per key. Input is validated by the WebSocket protocol's
 * own {@link Decoder}, so a message that a client could not send cannot be posted here either.
 * Thread-safe: handlers run on Helidon's request threads and share only immutable state, the
 * hub and the per-key buckets.
 */
public final class AdminApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String PREFIX = "/api/v1";

    private final HubAccess hub;
    private final ApiKeys keys;
    private final KeyRateLimit limits;
    private final Decoder decoder;

    public AdminApi(ParleyConfig config, AccessConfig access, Hub hub) {
        this.hub = new HubAccess(hub);
        this.keys = new ApiKeys(access.apiKeys());
        this.limits = new KeyRateLimit(Math.max(1, keys.size()), access.apiRatePerSecond(), access.apiRateBurst(),
                                       System.nanoTime());
        this.decoder = new Decoder(config.maxTextChars(), ParleyConfig.HISTORY_PAGE_MAX);
    }

    /** Registers the API's routes on the admin socket's routing. */
    public void routing(HttpRouting.Builder routing) {
        routing.post(PREFIX + "/rooms/{room}/messages", (req, res) -> guarded(req, res, this::post));
        routing.get(PREFIX + "/rooms/{room}/messages", (req, res) -> guarded(req, res, this::history));
        routing.get(PREFIX + "/rooms/{room}", (req, res) -> guarded(req, res, this::room));
        routing.get(PREFIX + "/rooms", (req, res) -> guarded(req, res, this::rooms));
    }

    @FunctionalInterface
    private interface Handler {
        void handle(ServerRequest req, ServerResponse res) throws ProtocolError;
    }

    /** Key check, then rate limit, then the handler; a ProtocolError becomes a 400 with the protocol's code. */
    private void guarded(ServerRequest req, ServerResponse res, Handler handler) {
        Optional<Integer> key = keys.match(req.headers().first(HeaderNames.AUTHORIZATION).orElse(null));
        if (key.isEmpty()) {
            // No detail: whether a key exists, is malformed or merely wrong is nobody's business.
            res.status(Status.UNAUTHORIZED_401).header(HeaderNames.WWW_AUTHENTICATE, "Bearer").send();
            return;
        }
        if (!limits.tryTake(key.get(), System.nanoTime())) {
            res.status(Status.TOO_MANY_REQUESTS_429).header(HeaderNames.RETRY_AFTER, "1");
            send(res, error("rate_limited", "Too many requests for this key; slow down."));
            return;
        }
        try {
            handler.handle(req, res);
        } catch (ProtocolError e) {
            // The service's own state (a broker outage, a drain, the rooms cap) is not bad input.
            boolean ours = e.code() == ErrorCode.UNAVAILABLE || e.code() == ErrorCode.ROOM_LIMIT;
            res.status(ours ? Status.SERVICE_UNAVAILABLE_503 : Status.BAD_REQUEST_400);
            if (ours) {
                res.header(HeaderNames.RETRY_AFTER, "1");
            }
            send(res, error(e.code().code(), e.getMessage()));
        }
    }

    private void post(ServerRequest req, ServerResponse res) throws ProtocolError {
        String room = req.path().pathParameters().get("room");
        JsonNode body;
        try {
            body = JSON.readTree(req.content().as(String.class));
        } catch (JsonProcessingException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            res.status(Status.BAD_REQUEST_400);
            send(res, error("bad_json", "The body is not a JSON object."));
            return;
        }
        // The protocol's own rules: a join names the sender, a send carries room, text and id.
        ObjectNode join = JSON.createObjectNode().put("type", "join").put("room", room);
        join.set("name", body.get("from") == null ? JSON.nullNode() : body.get("from"));
        Inbound.Join sender = (Inbound.Join) decoder.decode(join.toString());
        if (sender.name() == null) {
            throw new ProtocolError(ErrorCode.BAD_REQUEST, "Field \"from\" is required.", null, room);
        }
        ObjectNode send = JSON.createObjectNode().put("type", "send").put("room", room);
        copy(body, send, "text");
        copy(body, send, "id");
        Inbound.Send message = (Inbound.Send) decoder.decode(send.toString());
        HubAccess.Posted posted = hub.publish(room, sender.name(), message.text(), message.id());
        Room.Published p = posted.published();
        ObjectNode out = JSON.createObjectNode().put("room", room).put("seq", p.seq()).put("epoch", posted.epoch());
        if (message.id() != null) {
            out.put("id", message.id());
        }
        out.put("duplicate", p.duplicate());
        res.status(p.duplicate() ? Status.OK_200 : Status.CREATED_201);
        send(res, out);
    }

    private void room(ServerRequest req, ServerResponse res) throws ProtocolError {
        String name = validRoom(req.path().pathParameters().get("room"));
        if (!known(name)) {
            notFound(res, name);
            return;
        }
        HubAccess.State state = hub.state(name);
        ObjectNode out = JSON.createObjectNode().put("room", name)
                .put("seq", state.head()).put("epoch", state.epoch()).put("connections", hub.localConnections(name));
        ArrayNode members = out.putArray("members");
        state.members().forEach(members::add);
        send(res, out);
    }

    private void history(ServerRequest req, ServerResponse res) throws ProtocolError {
        String name = validRoom(req.path().pathParameters().get("room"));
        ObjectNode ask = JSON.createObjectNode().put("type", "history").put("room", name);
        query(req, ask, "before");
        query(req, ask, "limit");
        Inbound.History h = (Inbound.History) decoder.decode(ask.toString());
        if (!known(name)) {
            notFound(res, name);
            return;
        }
        ObjectNode page = (ObjectNode) hub.historyJson(name, h.before(), h.limit());
        page.remove("type");
        page.put("epoch", hub.state(name).epoch());
        send(res, page);
    }

    /** Rooms with members on this node, with this node's counts (each node answers for its own members). */
    private void rooms(ServerRequest req, ServerResponse res) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode rooms = out.putArray("rooms");
        for (String name : hub.localRooms()) {
            hub.localRoom(name).ifPresent(r -> rooms.addObject()
                    .put("room", name).put("members", r.memberNames().size()).put("connections", r.size()));
        }
        send(res, out);
    }

    /**
     * A room someone has used: members here, or messages in its log. Asked without touching the
     * log, so looking at a room that never existed does not create one.
     */
    private boolean known(String room) throws ProtocolError {
        return hub.localRoom(room).isPresent() || hub.historyJson(room, null, 1).path("messages").size() > 0;
    }

    private static void notFound(ServerResponse res, String room) {
        res.status(Status.NOT_FOUND_404);
        send(res, error("no_such_room", "No room \"" + room + "\" has members or messages."));
    }

    private String validRoom(String room) throws ProtocolError {
        return ((Inbound.Leave) decoder.decode(JSON.createObjectNode().put("type", "leave").put("room", room).toString())).room();
    }

    /** Query values are strings; the protocol wants integers: pass numbers as numbers, anything else as given (and refused). */
    private static void query(ServerRequest req, ObjectNode into, String name) {
        req.query().first(name).asOptional().ifPresent(v -> {
            try {
                into.put(name, Long.parseLong(v));
            } catch (NumberFormatException e) {
                into.put(name, v);
            }
        });
    }

    private static void copy(JsonNode from, ObjectNode to, String field) {
        JsonNode v = from.get(field);
        if (v != null && v.getNodeType() != JsonNodeType.NULL) {
            to.set(field, v);
        }
    }

    private static ObjectNode error(String code, String message) {
        return JSON.createObjectNode().put("error", code).put("message", message);
    }

    private static void send(ServerResponse res, JsonNode body) {
        res.header(HeaderNames.CONTENT_TYPE, HttpMediaTypes.JSON_UTF_8.text());
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body.toString());
    }
}
