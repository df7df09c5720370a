package dev.parley.broker.redis;

import dev.parley.broker.Message;
import dev.parley.protocol.Frame;

/**
 * What a room's channel carries, as the scripts write it: a header line, then a body.
 * <ul>
 *   <li>{@code m <seq> <epoch>\n<encoded message>} — a published message;</li>
 *   <li>{@code p <1|0> <count>\n<name>} — a name's first join or last leave across nodes;</li>
 *   <li>{@code t\n<name>} — someone typing (published by a node directly, never stored).</li>
 * </ul>
 */
sealed interface Announcement {

    record Published(Message message) implements Announcement {
    }

    record Presence(String room, boolean joined, String name, int count) implements Announcement {
    }

    record Typing(String room, String name) implements Announcement {
    }

    /** A node's probe of its own subscription came back. */
    record Probe() implements Announcement {
    }

    /** Parses a payload of {@code room}'s channel; null for anything else. */
    static Announcement parse(String room, String payload) {
        int nl = payload.indexOf('\n');
        if (nl < 0) {
            return null;
        }
        String[] head = payload.substring(0, nl).split(" ");
        String body = payload.substring(nl + 1);
        try {
            if (head.length == 3 && head[0].equals("m")) {
                long seq = Long.parseLong(head[1]);
                Frame frame = Frame.of(body);
                return new Published(new Message(room, head[2], seq, null, null, frame));
            }
            if (head.length == 1 && head[0].equals("t")) {
                return new Typing(room, body);
            }
            if (head.length == 3 && head[0].equals("p")) {
                return new Presence(room, head[1].equals("1"), body, Integer.parseInt(head[2]));
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }
}
