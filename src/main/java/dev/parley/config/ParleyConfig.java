package dev.parley.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.helidon.config.Config;
import io.helidon.config.ConfigMappingException;

/**
 * Every tunable of Parley in one place, read once at start-up and validated as a whole, so a
 * server never runs with knobs that contradict each other. Keys live under {@code parley.} and
 * {@code shutdown.}; each is documented once, in the README.
 */
public record ParleyConfig(Duration heartbeat,
                           Duration idleTimeout,
                           Duration writeDeadline,
                           Duration writeDelay,
                           Duration headerTimeout,
                           int outboxMaxMessages,
                           long outboxMaxBytes,
                           int maxFrameBytes,
                           int maxTextChars,
                           double ratePerSecond,
                           int rateBurst,
                           List<String> origins,
                           List<String> trustedProxies,
                           int historySize,
                           int historyOnJoin,
                           Duration historyTtl,
                           int roomsMax,
                           int roomsPerConnection,
                           int connectionsPerAddress,
                           Duration shutdownGrace,
                           Duration drainTimeout,
                           int drainBatch,
                           boolean presenceEvents,
                           int presenceBatchAbove) {

    /** Largest page a {@code history} request may ask for. */
    public static final int HISTORY_PAGE_MAX = 200;

    public ParleyConfig {
        origins = List.copyOf(origins);
        trustedProxies = List.copyOf(trustedProxies);
    }

    /** Returns this configuration, or throws naming every relation it breaks. */
    public ParleyConfig validated() {
        List<String> errors = problems();
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Invalid Parley configuration:\n  - " + String.join("\n  - ", errors));
        }
        return this;
    }

    /** The defaults, as documented in the README. */
    public static ParleyConfig defaults() {
        return from(Config.empty());
    }

    /**
     * Reads {@code parley.*} and {@code shutdown.*} from the root configuration; a value that does
     * not parse is refused naming its key, its value and the form expected.
     */
    public static ParleyConfig from(Config root) {
        try {
            return read(root);
        } catch (ConfigMappingException e) {
            throw unparsable(e);
        }
    }

    /**
     * The error for a configuration value that does not parse, in words a person can act on:
     * Helidon's own message names its mapper lambda, not the expected form. Helidon's exception
     * carries the key and value only in its message, and the expected type only in its cause.
     */
    public static IllegalArgumentException unparsable(ConfigMappingException e) {
        Matcher m = MAPPING_MESSAGE.matcher(String.valueOf(e.getMessage()));
        if (!m.find()) {
            return new IllegalArgumentException("Invalid Parley configuration: " + e.getMessage(), e);
        }
        String expected = switch (e.getCause()) {
            case DateTimeParseException d -> "an ISO-8601 duration, e.g. PT25S (25 seconds), PT1M30S or PT0.5S";
            case NumberFormatException n when java.util.Arrays.stream(n.getStackTrace())
                    .anyMatch(f -> f.getClassName().contains("FloatingDecimal")) -> "a number, e.g. 20 or 0.5";
            case NumberFormatException n -> "a whole number, e.g. 500";
            case null, default -> "a value of another form";
        };
        return new IllegalArgumentException("Invalid Parley configuration: " + m.group(2) + "=" + m.group(1)
                                            + " does not parse; expected " + expected, e);
    }

    /** Helidon 4.1.2: "Mapping of value 'banana' stored under key 'parley.heartbeat' has failed: ...". */
    private static final Pattern MAPPING_MESSAGE = Pattern.compile("value '(.*)' stored under key '([^']+)'");

    private static ParleyConfig read(Config root) {
        Config p = root.get("parley");
        Config s = root.get("shutdown");
        return new ParleyConfig(
                p.get("heartbeat").as(Duration.class).orElse(Duration.ofSeconds(25)),
                p.get("idle-timeout").as(Duration.class).orElse(Duration.ofSeconds(60)),
                p.get("write-deadline").as(Duration.class).orElse(Duration.ofSeconds(5)),
                p.get("write-delay").as(Duration.class).orElse(Duration.ofMillis(25)),
                p.get("header-timeout").as(Duration.class).orElse(Duration.ofSeconds(10)),
                p.get("outbox.max-messages").asInt().orElse(1024),
                p.get("outbox.max-bytes").asLong().orElse(1024 * 1024L),
                p.get("max-frame-bytes").asInt().orElse(65536),
                p.get("max-text-chars").asInt().orElse(4000),
                p.get("rate.per-second").asDouble().orElse(20.0),
                p.get("rate.burst").asInt().orElse(40),
                list(p.get("origins")),
                p.get("trusted-proxies").exists() ? list(p.get("trusted-proxies")) : List.of("127.0.0.1", "::1"),
                p.get("history.size").asInt().orElse(1000),
                p.get("history.on-join").asInt().orElse(50),
                p.get("history.ttl").as(Duration.class).orElse(Duration.ofHours(1)),
                p.get("rooms.max").asInt().orElse(10_000),
                p.get("rooms.per-connection").asInt().orElse(32),
                p.get("connections.per-address").asInt().orElse(0),
                s.get("grace").as(Duration.class).orElse(Duration.ofSeconds(20)),
                s.get("drain-timeout").as(Duration.class).orElse(Duration.ofSeconds(5)),
                s.get("batch").asInt().orElse(500),
                p.get("presence.events").asBoolean().orElse(true),
                p.get("presence.batch-above").asInt().orElse(100)).validated();
    }

    /** Lists may be given as YAML lists or, from the environment, as comma-separated strings. */
    static List<String> list(Config node) {
        if (!node.exists()) {
            return List.of();
        }
        // An override (-D or environment) is one string, even where application.yaml has a list.
        List<String> raw = node.hasValue()
                ? List.of(node.asString().get().split(","))
                : node.asList(String.class).orElse(List.of());
        return raw.stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
    }

    private List<String> problems() {
        List<String> e = new ArrayList<>();
        positive(e, "parley.heartbeat", heartbeat);
        positive(e, "parley.idle-timeout", idleTimeout);
        positive(e, "parley.write-deadline", writeDeadline);
        positive(e, "parley.header-timeout", headerTimeout);
        positive(e, "parley.history.ttl", historyTtl);
        positive(e, "shutdown.grace", shutdownGrace);
        positive(e, "shutdown.drain-timeout", drainTimeout);
        if (writeDelay.isNegative() || writeDelay.compareTo(Duration.ofMillis(100)) > 0) {
            e.add("parley.write-delay must be between PT0S and PT0.1S, is " + writeDelay);
        }
        if (!e.isEmpty()) {
            return e;
        }
        // A healthy but quiet client answers our pings; it must get at least one before it is called idle.
        if (heartbeat.compareTo(idleTimeout) >= 0) {
            e.add("parley.heartbeat (" + heartbeat + ") must be shorter than parley.idle-timeout (" + idleTimeout + ")");
        }
        // A write stuck longer than the idle timeout would be noticed as idleness first, with the wrong reason.
        if (writeDeadline.compareTo(idleTimeout) >= 0) {
            e.add("parley.write-deadline (" + writeDeadline + ") must be shorter than parley.idle-timeout (" + idleTimeout + ")");
        }
        // Draining must leave time to close connections and stop the server within the grace.
        if (drainTimeout.compareTo(shutdownGrace) >= 0) {
            e.add("shutdown.drain-timeout (" + drainTimeout + ") must be shorter than shutdown.grace (" + shutdownGrace + ")");
        }
        if (outboxMaxMessages < 16) {
            e.add("parley.outbox.max-messages must be at least 16, is " + outboxMaxMessages);
        }
        if (maxTextChars < 1) {
            e.add("parley.max-text-chars must be at least 1, is " + maxTextChars);
        }
        // The largest legal message (4 bytes per code point worst case, plus the JSON around it) must fit a frame.
        long largestSend = 4L * maxTextChars + 512;
        if (maxFrameBytes < largestSend) {
            e.add("parley.max-frame-bytes (" + maxFrameBytes + ") must hold the largest message: at least "
                  + largestSend + " for parley.max-text-chars=" + maxTextChars);
        }
        if (outboxMaxBytes < maxFrameBytes) {
            e.add("parley.outbox.max-bytes (" + outboxMaxBytes + ") must be at least parley.max-frame-bytes ("
                  + maxFrameBytes + ")");
        }
        if (ratePerSecond <= 0) {
            e.add("parley.rate.per-second must be positive, is " + ratePerSecond);
        }
        if (rateBurst < 1) {
            e.add("parley.rate.burst must be at least 1, is " + rateBurst);
        }
        if (historySize < 1) {
            e.add("parley.history.size must be at least 1, is " + historySize);
        }
        if (historyOnJoin < 0 || historyOnJoin > historySize) {
            e.add("parley.history.on-join (" + historyOnJoin + ") must be between 0 and parley.history.size ("
                  + historySize + ")");
        }
        if (roomsMax < 1) {
            e.add("parley.rooms.max must be at least 1, is " + roomsMax);
        }
        if (roomsPerConnection < 1) {
            e.add("parley.rooms.per-connection must be at least 1, is " + roomsPerConnection);
        }
        if (connectionsPerAddress < 0) {
            e.add("parley.connections.per-address must be 0 (no limit) or more, is " + connectionsPerAddress);
        }
        if (presenceBatchAbove < 0) {
            e.add("parley.presence.batch-above must be 0 (always batch) or more, is " + presenceBatchAbove);
        }
        if (drainBatch < 1) {
            e.add("shutdown.batch must be at least 1, is " + drainBatch);
        }
        return e;
    }

    private static void positive(List<String> errors, String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            errors.add(key + " must be a positive duration (e.g. PT5S), is " + d);
        }
    }
}
