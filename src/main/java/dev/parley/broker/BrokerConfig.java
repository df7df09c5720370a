package dev.parley.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.helidon.config.Config;

/**
 * {@code parley.broker.*}: which broker keeps the rooms, and how to reach Redis. Read and checked
 * once at start-up; every key is documented in the README.
 *
 * @param type          {@code memory} (one process, the default) or {@code redis}
 * @param redisUrl      {@code redis://}, {@code rediss://} or {@code redis-sentinel://} URL; null for memory
 * @param cluster       the URL names a Redis Cluster node: sharded pub/sub, keys hash-tagged per room
 * @param timeout       longest a Redis command may take before the operation is answered {@code unavailable}
 * @param presenceTtl   a node that stops refreshing its members' presence is dropped from it after this
 * @param checkInterval how often a node compares its rooms' positions with Redis' and probes its subscription
 */
public record BrokerConfig(Type type, String redisUrl, boolean cluster, Duration timeout, Duration presenceTtl,
                           Duration checkInterval) {

    public enum Type { MEMORY, REDIS }

    /** Reads {@code parley.broker} from the root configuration; throws naming every problem. */
    public static BrokerConfig from(Config root) {
        Config b = root.get("parley.broker");
        List<String> errors = new ArrayList<>();
        String typeName = b.get("type").asString().orElse("memory").trim().toLowerCase(Locale.ROOT);
        Type type = switch (typeName) {
            case "memory" -> Type.MEMORY;
            case "redis" -> Type.REDIS;
            default -> {
                errors.add("parley.broker.type must be memory or redis, is " + typeName);
                yield Type.MEMORY;
            }
        };
        String url = b.get("redis.url").asString().map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        boolean cluster = b.get("redis.cluster").asBoolean().orElse(false);
        Duration timeout = b.get("redis.timeout").as(Duration.class).orElse(Duration.ofSeconds(2));
        Duration presenceTtl = b.get("redis.presence-ttl").as(Duration.class).orElse(Duration.ofSeconds(60));
        Duration check = b.get("redis.check-interval").as(Duration.class).orElse(Duration.ofSeconds(1));
        if (type == Type.REDIS && url == null) {
            errors.add("parley.broker.type=redis needs parley.broker.redis.url (e.g. redis://redis:6379)");
        }
        if (type == Type.MEMORY && url != null) {
            errors.add("parley.broker.redis.url is set but parley.broker.type is memory: set parley.broker.type=redis"
                       + " to share rooms through Redis, or remove the URL");
        }
        if (type == Type.MEMORY && cluster) {
            errors.add("parley.broker.redis.cluster=true needs parley.broker.type=redis");
        }
        if (url != null && !url.matches("(?i)(redis|rediss|redis-sentinel|redis-socket)://.+")) {
            errors.add("parley.broker.redis.url must be a redis://, rediss:// or redis-sentinel:// URL");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            errors.add("parley.broker.redis.timeout must be positive, is " + timeout);
        }
        if (check.isNegative() || check.isZero()) {
            errors.add("parley.broker.redis.check-interval must be positive, is " + check);
        }
        // A node refreshes presence every third of the TTL; each refresh may take a timeout.
        if (presenceTtl.compareTo(timeout.multipliedBy(3)) < 0) {
            errors.add("parley.broker.redis.presence-ttl (" + presenceTtl + ") must be at least three times"
                       + " parley.broker.redis.timeout (" + timeout + ")");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Invalid Parley configuration:\n  - " + String.join("\n  - ", errors));
        }
        return new BrokerConfig(type, url, cluster, timeout, presenceTtl, check);
    }

    /** How often presence is refreshed: three times per TTL, so one lost refresh costs nothing. */
    public Duration presenceRefresh() {
        return presenceTtl.dividedBy(3);
    }

    /** The URL without its password, for logs. */
    public String redactedUrl() {
        return redisUrl == null ? null : redisUrl.replaceAll("//[^@/]*@", "//***@");
    }
}
