package dev.parley.config;

import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccessConfigTest {

    @Test
    void applicationYamlHoldsTheDocumentedDefaults() {
        AccessConfig c = AccessConfig.from(Config.just(ConfigSources.classpath("application.yaml")));
        assertThat(c).isEqualTo(AccessConfig.defaults());
        assertThat(c.adminPort()).isEqualTo(9090);
        assertThat(c.jwt()).isFalse();
        assertThat(c.apiKeys()).isEmpty();
        assertThat(c.connectionsMax()).isEqualTo(20_000);
    }

    @Test
    void keysMayComeAsOneCommaSeparatedOverride() {
        AccessConfig c = AccessConfig.from(Config.just(ConfigSources.create(Map.of(
                "parley.api.keys", " first-key-0123456789 , second-key-0123456789 ")), ConfigSources.classpath("application.yaml")));
        assertThat(c.apiKeys()).containsExactly("first-key-0123456789", "second-key-0123456789");
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        assertThatThrownBy(() -> AccessConfig.from(Config.just(ConfigSources.create(Map.of(
                "parley.admin.port", "70000",
                "parley.api.keys", "short",
                "parley.connections.max", "-1",
                "parley.auth.timeout", "PT0S")))))
                .hasMessageContaining("parley.admin.port")
                .hasMessageContaining("at least 16 characters")
                .hasMessageContaining("parley.connections.max")
                .hasMessageContaining("parley.auth.timeout");
    }

    @Test
    void aMissingPublicKeyFileIsNamed() {
        assertThatThrownBy(() -> AccessConfig.from(Config.just(ConfigSources.create(Map.of(
                "parley.auth.mode", "jwt", "parley.auth.jwt.public-key", "/nonexistent/jwt.pem")))))
                .hasMessageContaining("cannot read /nonexistent/jwt.pem");
    }
}
