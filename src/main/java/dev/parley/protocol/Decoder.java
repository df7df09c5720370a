package dev.parley.protocol;

import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;

/** Turns one client text message into a validated {@link Inbound}, or a {@link ProtocolError}. */
public final class Decoder {
    /** No per-thread buffer cache; one object per message: anything after it but whitespace is bad_json. */
    private static final ObjectMapper JSON = new ObjectMapper(Encoder.JSON)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int ID_MAX = 64;
    /** Far above any real token (a few hundred bytes to a few KB), far below the frame limit. */
    private static final int TOKEN_MAX = 16 * 1024;
    private static final int HISTORY_DEFAULT = 50;

    private final int maxTextChars;
    private final int historyMax;

    public Decoder(int maxTextChars, int historyMax) {
        this.maxTextChars = maxTextChars;
        this.historyMax = historyMax;
    }

    public Inbound decode(String text) throws ProtocolError {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ProtocolError(ErrorCode.BAD_JSON, null, null);
        }
        if (node == null || !node.isObject()) {
            throw new ProtocolError(ErrorCode.BAD_JSON, null, null);
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual()) {
            throw new ProtocolError(ErrorCode.UNKNOWN_TYPE, null, null);
        }
        return switch (type.textValue()) {
            case "join" -> join(node);
            case "leave" -> new Inbound.Leave(room(node, null));
            case "send" -> send(node);
            case "history" -> history(node);
            case "ping" -> Inbound.Ping.INSTANCE;
            case "auth" -> auth(node);
            case "typing" -> new Inbound.Typing(room(node, null));
            case "members" -> members(node);
            default -> throw new ProtocolError(ErrorCode.UNKNOWN_TYPE,
                                               "Unknown type \"" + clip(type.textValue()) + "\".", null, null);
        };
    }

    private Inbound auth(JsonNode node) throws ProtocolError {
        String token = string(node, "token", true, null, null);
        if (token.isEmpty() || token.length() > TOKEN_MAX) {
            throw new ProtocolError(ErrorCode.BAD_REQUEST, "Field \"token\" must be 1-" + TOKEN_MAX + " characters.", null, null);
        }
        return new Inbound.Auth(token);
    }

    /** {@code name} may be absent (the server has a verified one); when present it must be a valid name. */
    private Inbound join(JsonNode node) throws ProtocolError {
        String room = room(node, null);
        String name = string(node, "name", false, null, room);
        if (name == null) {
            return new Inbound.Join(room, null, string(node, "epoch", false, null, room), integer(node, "since", 0, room, null));
        }
        if (!DisplayName.valid(name)) {
            throw new ProtocolError(ErrorCode.INVALID_NAME, null, room);
        }
        String epoch = string(node, "epoch", false, null, room);
        Long since = integer(node, "since", 0, room, null);
        return new Inbound.Join(room, name, epoch, since);
    }

    private Inbound send(JsonNode node) throws ProtocolError {
        // The id is read first so that every later error can refer to it.
        String id = string(node, "id", false, null, null);
        if (id != null && (id.isEmpty() || id.codePointCount(0, id.length()) > ID_MAX)) {
            throw new ProtocolError(ErrorCode.INVALID_ID, null, null);
        }
        String room = room(node, id);
        String text = string(node, "text", true, id, room);
        if (text.isEmpty()) {
            throw new ProtocolError(ErrorCode.INVALID_TEXT, id, room);
        }
        if (text.length() > maxTextChars && text.codePointCount(0, text.length()) > maxTextChars) {
            throw new ProtocolError(ErrorCode.TEXT_TOO_LONG,
                                    "The message is longer than " + maxTextChars + " characters.", id, room);
        }
        String traceparent = string(node, "traceparent", false, id, room);
        return new Inbound.Send(room, text, id, traceparent);
    }

    private Inbound members(JsonNode node) throws ProtocolError {
        String room = room(node, null);
        String cursor = string(node, "cursor", false, null, room);
        if (cursor != null && (cursor.isEmpty() || cursor.length() > 256)) {
            throw new ProtocolError(ErrorCode.BAD_REQUEST, "Field \"cursor\" must be a \"next\" from a members page.", null, room);
        }
        return new Inbound.Members(room, cursor);
    }

    private Inbound history(JsonNode node) throws ProtocolError {
        String room = room(node, null);
        Long before = integer(node, "before", 1, room, null);
        Long limit = integer(node, "limit", 1, room, null);
        int capped = limit == null ? HISTORY_DEFAULT : (int) Math.min(limit, historyMax);
        return new Inbound.History(room, before, capped);
    }

    private static String room(JsonNode node, String ref) throws ProtocolError {
        JsonNode room = node.get("room");
        if (room == null || !room.isTextual() || !ROOM.matcher(room.textValue()).matches()) {
            throw new ProtocolError(ErrorCode.INVALID_ROOM, ref, null);
        }
        return room.textValue();
    }

    private static String string(JsonNode node, String field, boolean required, String ref, String room)
            throws ProtocolError {
        JsonNode v = node.get(field);
        if (v == null || v.getNodeType() == JsonNodeType.NULL) {
            if (required) {
                throw new ProtocolError(ErrorCode.BAD_REQUEST, "Field \"" + field + "\" is required.", ref, room);
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new ProtocolError(ErrorCode.BAD_REQUEST, "Field \"" + field + "\" must be a string.", ref, room);
        }
        return v.textValue();
    }

    private static Long integer(JsonNode node, String field, long min, String room, String ref) throws ProtocolError {
        JsonNode v = node.get(field);
        if (v == null || v.getNodeType() == JsonNodeType.NULL) {
            return null;
        }
        if (!v.canConvertToExactIntegral() || !v.canConvertToLong() || v.asLong() < min) {
            throw new ProtocolError(ErrorCode.BAD_REQUEST,
                                    "Field \"" + field + "\" must be an integer of at least " + min + ".", ref, room);
        }
        return v.asLong();
    }

    private static String clip(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "…";
    }
}
