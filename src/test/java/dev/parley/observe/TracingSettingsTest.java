package dev.parley.observe;

import java.net.URI;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** parley.tracing.* and the OTEL_* variables that override it. */
class TracingSettingsTest {

    @Test
    void defaultsAreOffWithTheStandardLocalCollector() {
        TracingSettings s = settings(Map.of(), Map.of());
        assertThat(s.enabled()).isFalse();
        assertThat(s.serviceName()).isEqualTo("parley");
        assertThat(s.protocol()).isEqualTo(TracingSettings.Protocol.HTTP_PROTOBUF);
        assertThat(s.endpoint()).isEqualTo(URI.create("http://localhost:4318/v1/traces"));
        assertThat(s.sampler()).isEqualTo("parentbased_always_on");
        assertThat(s.samplerArg()).isEqualTo(1.0);
        assertThat(s.publishRatio()).isEqualTo(1.0);
        assertThat(s.headers()).isEmpty();
    }

    @Test
    void shippedApplicationYamlKeepsTracingOff() {
        TracingSettings s = TracingSettings.from(Config.just(ConfigSources.classpath("application.yaml")).get("parley.tracing"),
                                                 name -> null);
        assertThat(s.enabled()).isFalse();
        assertThat(s.endpoint()).isEqualTo(URI.create("http://localhost:4318/v1/traces"));
    }

    @Test
    void configuredValues() {
        TracingSettings s = settings(Map.of("enabled", "true", "service-name", "chat-eu", "protocol", "grpc",
                                            "endpoint", "http://collector:4317", "headers", "x-token=a+b/c=,tenant=t%201",
                                            "sampler", "parentbased_traceidratio", "sampler-arg", "0.25",
                                            "publish-ratio", "0.1"), Map.of());
        assertThat(s.enabled()).isTrue();
        assertThat(s.serviceName()).isEqualTo("chat-eu");
        assertThat(s.protocol()).isEqualTo(TracingSettings.Protocol.GRPC);
        assertThat(s.endpoint()).isEqualTo(URI.create("http://collector:4317")); // grpc: no path appended
        assertThat(s.headers()).containsOnly(Map.entry("x-token", "a+b/c="), Map.entry("tenant", "t 1"));
        assertThat(s.sampler()).isEqualTo("parentbased_traceidratio");
        assertThat(s.samplerArg()).isEqualTo(0.25);
        assertThat(s.publishRatio()).isEqualTo(0.1);
    }

    @Test
    void otelVariablesOverrideTheConfig() {
        TracingSettings s = settings(Map.of("enabled", "true", "endpoint", "http://ignored:4318", "sampler", "always_on"),
                                     Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "https://otlp.example:4318/",
                                            "OTEL_TRACES_SAMPLER", "traceidratio",
                                            "OTEL_TRACES_SAMPLER_ARG", "0.5",
                                            "OTEL_SERVICE_NAME", "from-env",
                                            "OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20t",
                                            "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod"));
        assertThat(s.endpoint()).isEqualTo(URI.create("https://otlp.example:4318/v1/traces"));
        assertThat(s.sampler()).isEqualTo("traceidratio");
        assertThat(s.samplerArg()).isEqualTo(0.5);
        assertThat(s.serviceName()).isEqualTo("from-env");
        assertThat(s.headers()).containsEntry("authorization", "Bearer t");
        assertThat(s.resourceAttributes()).containsEntry("deployment.environment", "prod");
    }

    @Test
    void signalSpecificEndpointIsUsedAsIs() {
        TracingSettings s = settings(Map.of(), Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318",
                                                      "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:4318/custom/traces",
                                                      "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
                                                      "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"));
        assertThat(s.protocol()).isEqualTo(TracingSettings.Protocol.HTTP_PROTOBUF);
        assertThat(s.endpoint()).isEqualTo(URI.create("http://b:4318/custom/traces"));
    }

    @Test
    void sdkDisabledWinsOverEnabled() {
        assertThat(settings(Map.of("enabled", "true"), Map.of("OTEL_SDK_DISABLED", "true")).enabled()).isFalse();
    }

    @Test
    void anEndpointAloneDoesNotTurnTracingOn() {
        assertThat(settings(Map.of(), Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")).enabled()).isFalse();
    }

    @Test
    void badValuesAreReportedTogether() {
        assertThatThrownBy(() -> settings(Map.of("sampler", "sometimes", "sampler-arg", "2", "publish-ratio", "-1",
                                                 "endpoint", "collector:4318"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parley.tracing.sampler must be one of")
                .hasMessageContaining("parley.tracing.sampler-arg")
                .hasMessageContaining("parley.tracing.publish-ratio")
                .hasMessageContaining("parley.tracing.endpoint");
        assertThatThrownBy(() -> settings(Map.of("protocol", "http/json"), Map.of()))
                .hasMessageContaining("http/protobuf or grpc");
    }

    @Test
    void tracingOffIsTheNoOpTracer() {
        try (Tracing off = Tracing.create(Config.just(ConfigSources.classpath("application.yaml")))) {
            assertThat(off.tracer().enabled()).isFalse();
        }
    }

    private static TracingSettings settings(Map<String, String> config, Map<String, String> env) {
        return TracingSettings.from(Config.just(ConfigSources.create(config)), env::get);
    }
}
