package dev.parley.broker;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.parley.broker.redis.RedisBroker;
import dev.parley.broker.redis.RedisMetrics;
import dev.parley.support.RedisServer;
import dev.parley.support.TestServer;

/** The broker contract, against a real redis-server. */
class RedisBrokerTest extends BrokerContract {
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    Broker newBroker(Delivery door) {
        return start(redis.url(), door);
    }

    static RedisBroker start(String url, Delivery door) {
        BrokerConfig config = BrokerConfig.from(TestServer.config(Map.of(
                "parley.broker.type", "redis", "parley.broker.redis.url", url)));
        RedisBroker b = new RedisBroker(config, HISTORY, Duration.ofHours(1), new RedisMetrics());
        b.start(door);
        return b;
    }
}
