package dev.parley.broker;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokerConfigTest {

    private static BrokerConfig of(String... kv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return BrokerConfig.from(TestServer.config(m));
    }

    @Test
    void theDefaultIsTheInMemoryBrokerWithNothingToConnectTo() {
        BrokerConfig c = of();
        assertThat(c.type()).isEqualTo(BrokerConfig.Type.MEMORY);
        assertThat(c.redisUrl()).isNull();
        assertThat(c.presenceRefresh()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void redisNeedsAUrlAndAUrlNeedsRedis() {
        assertThatThrownBy(() -> of("parley.broker.type", "redis"))
                .hasMessageContaining("parley.broker.type=redis needs parley.broker.redis.url");
        assertThatThrownBy(() -> of("parley.broker.redis.url", "redis://r:6379"))
                .hasMessageContaining("parley.broker.redis.url is set but parley.broker.type is memory");
        assertThatThrownBy(() -> of("parley.broker.redis.cluster", "true"))
                .hasMessageContaining("parley.broker.redis.cluster=true needs parley.broker.type=redis");
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        assertThatThrownBy(() -> of("parley.broker.type", "redis", "parley.broker.redis.url", "http://nope",
                                    "parley.broker.redis.timeout", "PT30S"))
                .hasMessageContaining("must be a redis://, rediss:// or redis-sentinel:// URL")
                .hasMessageContaining("presence-ttl (PT1M) must be at least three times parley.broker.redis.timeout (PT30S)");
        assertThatThrownBy(() -> of("parley.broker.type", "kafka")).hasMessageContaining("must be memory or redis, is kafka");
    }

    @Test
    void aPasswordNeverReachesTheLog() {
        BrokerConfig c = of("parley.broker.type", "redis", "parley.broker.redis.url", "rediss://:s3cret@redis:6380/0");
        assertThat(c.redactedUrl()).isEqualTo("rediss://***@redis:6380/0").doesNotContain("s3cret");
    }
}
