package dev.parley.broker.redis;

/**
 * The Redis keys and channel of one room. Every name carries the room in a hash tag
 * ({@code parley:{room}:…}), so one room's keys and its channel share a Redis Cluster slot and one
 * script can touch them all. Room names match {@code [A-Za-z0-9_.-]+}: no braces to escape.
 */
record Keys(String room) {
    private static final String PREFIX = "parley:{";
    private static final String CHANNEL_SUFFIX = "}:ch";

    String epoch() {
        return PREFIX + room + "}:epoch";
    }

    String seq() {
        return PREFIX + room + "}:seq";
    }

    /** The stream: one entry per message, entry id = seq. */
    String log() {
        return PREFIX + room + "}:log";
    }

    /** (from, id) → seq, for idempotent sends; an entry leaves with its message. */
    String ids() {
        return PREFIX + room + "}:ids";
    }

    /** (node, name) → expiry, one entry per node holding the name. */
    String presence() {
        return PREFIX + room + "}:presence";
    }

    /** name → how many nodes hold it. */
    String names() {
        return PREFIX + room + "}:names";
    }

    String channel() {
        return PREFIX + room + CHANNEL_SUFFIX;
    }

    /** The room of a channel named by {@link #channel()}, or null for any other channel. */
    static String roomOf(String channel) {
        if (!channel.startsWith(PREFIX) || !channel.endsWith(CHANNEL_SUFFIX)) {
            return null;
        }
        return channel.substring(PREFIX.length(), channel.length() - CHANNEL_SUFFIX.length());
    }

    /** A node's own channel, on which it probes that its subscription still delivers. */
    static String probeChannel(String node) {
        return "parley:{node-" + node + "}:probe";
    }
}
