package dev.parley.config;

import java.time.Duration;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParleyConfigTest {

    @Test
    void shippedYamlGivesTheDocumentedDefaults() {
        ParleyConfig c = ParleyConfig.from(Config.just(ConfigSources.classpath("application.yaml")));
        assertThat(c).isEqualTo(ParleyConfig.defaults());
        assertThat(c.heartbeat()).isEqualTo(Duration.ofSeconds(25));
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.writeDeadline()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.writeDelay()).isEqualTo(Duration.ofMillis(25));
        assertThat(c.outboxMaxMessages()).isEqualTo(1024);
        assertThat(c.outboxMaxBytes()).isEqualTo(1024 * 1024);
        assertThat(c.maxFrameBytes()).isEqualTo(65536);
        assertThat(c.maxTextChars()).isEqualTo(4000);
        assertThat(c.ratePerSecond()).isEqualTo(20);
        assertThat(c.rateBurst()).isEqualTo(40);
        assertThat(c.origins()).isEmpty();
        assertThat(c.historySize()).isEqualTo(1000);
        assertThat(c.historyOnJoin()).isEqualTo(50);
        assertThat(c.historyTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void contradictoryKnobsAreRefusedWithEveryProblemNamed() {
        Config bad = TestServer.config(Map.of("parley.heartbeat", "PT90S", "parley.write-deadline", "PT2M",
                                              "parley.history.on-join", "5000"));
        assertThatThrownBy(() -> ParleyServer.start(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parley.heartbeat (PT1M30S) must be shorter than parley.idle-timeout (PT1M)")
                .hasMessageContaining("parley.write-deadline")
                .hasMessageContaining("parley.history.on-join");
    }

    @Test
    void malformedTrustedProxyIsRefused() {
        Config bad = TestServer.config(Map.of("parley.trusted-proxies", "10.0.0.0/8, proxy.example.com"));
        assertThatThrownBy(() -> ParleyServer.start(bad)).hasMessageContaining("proxy.example.com");
    }

    @Test
    void listsFromTheEnvironmentAreCommaSeparated() {
        ParleyConfig c = ParleyConfig.from(Config.just(ConfigSources.create(
                Map.of("parley.origins", "https://a.example, https://b.example"))));
        assertThat(c.origins()).containsExactly("https://a.example", "https://b.example");
    }

    @Test
    void unparsableValuesAreNamedWithTheExpectedForm() {
        assertThatThrownBy(() -> ParleyConfig.from(TestServer.config(Map.of("parley.heartbeat", "banana"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid Parley configuration: parley.heartbeat=banana does not parse; expected an ISO-8601 "
                            + "duration, e.g. PT25S (25 seconds), PT1M30S or PT0.5S");
        assertThatThrownBy(() -> ParleyConfig.from(TestServer.config(Map.of("parley.outbox.max-messages", "lots"))))
                .hasMessage("Invalid Parley configuration: parley.outbox.max-messages=lots does not parse; expected a "
                            + "whole number, e.g. 500");
        assertThatThrownBy(() -> ParleyConfig.from(TestServer.config(Map.of("parley.rate.per-second", "fast"))))
                .hasMessage("Invalid Parley configuration: parley.rate.per-second=fast does not parse; expected a "
                            + "number, e.g. 20 or 0.5");
        assertThatThrownBy(() -> ParleyConfig.from(TestServer.config(Map.of("shutdown.grace", "20s"))))
                .hasMessageContaining("shutdown.grace=20s does not parse; expected an ISO-8601 duration");
    }
}
