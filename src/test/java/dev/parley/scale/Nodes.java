package dev.parley.scale;

import java.util.HashMap;
import java.util.Map;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.TestServer;

/** Parley nodes sharing rooms through one Redis, and what tests of them do with clients. */
final class Nodes {
    private Nodes() {
    }

    /** Settings of a node on {@code redisUrl}: quick checks and a short presence TTL, so tests need not wait long. */
    static Map<String, String> settings(String redisUrl, String... more) {
        Map<String, String> s = new HashMap<>();
        s.put("parley.broker.type", "redis");
        s.put("parley.broker.redis.url", redisUrl);
        s.put("parley.broker.redis.timeout", "PT1S");
        s.put("parley.broker.redis.presence-ttl", "PT3S");
        s.put("parley.broker.redis.check-interval", "PT0.2S");
        s.put("parley.rate.per-second", "1000");
        s.put("parley.rate.burst", "1000");
        for (int i = 0; i < more.length; i += 2) {
            s.put(more[i], more[i + 1]);
        }
        return s;
    }

    static ParleyServer start(String redisUrl, String... more) {
        return TestServer.start(settings(redisUrl, more));
    }

    static long sendUntilAcked(ChatClient c, String room, String text, String id) {
        return c.sayUntilAcked(room, text, id);
    }
}
