package dev.parley.scale;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

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

    /**
     * Sends until the server acks: an {@code unavailable} answer (Redis down, or a drain) is
     * retried with the same id, which the broker's idempotency makes safe. Returns the seq.
     */
    static long sendUntilAcked(ChatClient c, String room, String text, String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            c.say(room, text, id);
            JsonNode answer = c.next(n -> id.equals(n.path("id").asText()) && "ack".equals(n.path("type").asText())
                                          || id.equals(n.path("ref").asText()) && "error".equals(n.path("type").asText()),
                                     "ack or error for " + id);
            if ("ack".equals(answer.path("type").asText())) {
                return answer.path("seq").asLong();
            }
            if (!"unavailable".equals(answer.path("code").asText())) {
                throw new AssertionError("unexpected answer to " + id + ": " + answer);
            }
            try {
                Thread.sleep(50); // a client's retry backoff, not a wait for a condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no ack for " + id + " within 60 s");
    }
}
