package dev.parley.observe;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

import io.helidon.config.Config;

/**
 * How traces leave the process: read from {@code parley.tracing.*}, then overridden by the
 * standard OpenTelemetry variables ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_TRACES_SAMPLER},
 * … or their {@code -Dotel.*} system-property forms), so a collector injected by the platform
 * works without touching Parley's config. Tracing is off unless {@code parley.tracing.enabled}
 * is true; {@code OTEL_SDK_DISABLED=true} turns it off whatever the config says.
 *
 * @param endpoint where spans are sent: the full traces URL for {@code http/protobuf}
 *                 (…/v1/traces), the collector's address for {@code grpc}
 * @param publishRatio fraction of {@code chat.publish} spans kept, among messages whose
 *                     connection span is sampled and that carry no client trace context
 */
public record TracingSettings(boolean enabled,
                              String serviceName,
                              Protocol protocol,
                              URI endpoint,
                              Map<String, String> headers,
                              String sampler,
                              double samplerArg,
                              double publishRatio,
                              Map<String, String> resourceAttributes) {

    /** The OTLP transports the exporter speaks. */
    public enum Protocol {
        HTTP_PROTOBUF("http/protobuf", "http://localhost:4318"),
        GRPC("grpc", "http://localhost:4317");

        private final String wire;
        private final String defaultEndpoint;

        Protocol(String wire, String defaultEndpoint) {
            this.wire = wire;
            this.defaultEndpoint = defaultEndpoint;
        }

        public String wire() {
            return wire;
        }

        static Protocol parse(String value) {
            for (Protocol p : values()) {
                if (p.wire.equalsIgnoreCase(value.trim())) {
                    return p;
                }
            }
            throw new IllegalArgumentException("parley.tracing.protocol must be http/protobuf or grpc, is " + value);
        }
    }

    /** Sampler names as in the OpenTelemetry specification ({@code OTEL_TRACES_SAMPLER}). */
    public static final Set<String> SAMPLERS = Set.of("always_on", "always_off", "traceidratio", "parentbased_always_on",
                                                      "parentbased_always_off", "parentbased_traceidratio");

    public TracingSettings {
        headers = Map.copyOf(headers);
        resourceAttributes = Map.copyOf(resourceAttributes);
        List<String> errors = new ArrayList<>();
        if (serviceName == null || serviceName.isBlank()) {
            errors.add("parley.tracing.service-name must not be empty");
        }
        if (!SAMPLERS.contains(sampler)) {
            errors.add("parley.tracing.sampler must be one of " + SAMPLERS + ", is " + sampler);
        }
        if (!(samplerArg >= 0 && samplerArg <= 1)) {
            errors.add("parley.tracing.sampler-arg must be between 0 and 1, is " + samplerArg);
        }
        if (!(publishRatio >= 0 && publishRatio <= 1)) {
            errors.add("parley.tracing.publish-ratio must be between 0 and 1, is " + publishRatio);
        }
        String scheme = endpoint == null ? null : endpoint.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            errors.add("parley.tracing.endpoint must be an http:// or https:// URL, is " + endpoint);
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Invalid tracing configuration:\n  - " + String.join("\n  - ", errors));
        }
    }

    /** Reads {@code parley.tracing} from the root config, with OTEL_* overrides from this process. */
    public static TracingSettings from(Config root) {
        return from(root.get("parley.tracing"), TracingSettings::processSetting);
    }

    /**
     * Reads the settings from a {@code parley.tracing} node; {@code otel} looks up an OpenTelemetry
     * variable by its environment name (e.g. {@code OTEL_TRACES_SAMPLER}), null when unset.
     */
    static TracingSettings from(Config node, UnaryOperator<String> otel) {
        boolean enabled = node.get("enabled").asBoolean().orElse(false)
                && !"true".equalsIgnoreCase(trim(otel.apply("OTEL_SDK_DISABLED")));
        String service = first(otel, "OTEL_SERVICE_NAME").orElse(node.get("service-name").asString().orElse("parley"));
        Protocol protocol = Protocol.parse(first(otel, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")
                                                   .orElse(node.get("protocol").asString().orElse("http/protobuf")));
        URI endpoint = endpoint(protocol,
                                first(otel, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").orElse(null),
                                first(otel, "OTEL_EXPORTER_OTLP_ENDPOINT")
                                        .orElse(node.get("endpoint").asString().orElse(protocol.defaultEndpoint)));
        Map<String, String> headers = keyValues("headers", first(otel, "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS")
                .orElse(node.get("headers").asString().orElse("")));
        String sampler = first(otel, "OTEL_TRACES_SAMPLER")
                .orElse(node.get("sampler").asString().orElse("parentbased_always_on"))
                .toLowerCase(Locale.ROOT);
        double samplerArg = first(otel, "OTEL_TRACES_SAMPLER_ARG").map(v -> number("sampler-arg", v))
                .orElse(node.get("sampler-arg").asDouble().orElse(1.0));
        double publishRatio = node.get("publish-ratio").asDouble().orElse(1.0);
        Map<String, String> resource = keyValues("OTEL_RESOURCE_ATTRIBUTES",
                                                 first(otel, "OTEL_RESOURCE_ATTRIBUTES").orElse(""));
        return new TracingSettings(enabled, service, protocol, endpoint, headers, sampler, samplerArg, publishRatio,
                                   resource);
    }

    /**
     * As OpenTelemetry specifies: a signal-specific endpoint is used as is; the general one is a
     * base URL to which HTTP appends {@code /v1/traces}.
     */
    private static URI endpoint(Protocol protocol, String tracesEndpoint, String base) {
        try {
            if (tracesEndpoint != null) {
                return URI.create(tracesEndpoint);
            }
            if (protocol == Protocol.GRPC) {
                return URI.create(base);
            }
            return URI.create(base.endsWith("/") ? base + "v1/traces" : base + "/v1/traces");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("parley.tracing.endpoint is not a URL: " + e.getMessage(), e);
        }
    }

    /** The environment variable, or its system-property form ({@code otel.traces.sampler}), system property first. */
    private static String processSetting(String envName) {
        String property = System.getProperty(envName.toLowerCase(Locale.ROOT).replace('_', '.'));
        return property != null ? property : System.getenv(envName);
    }

    private static Optional<String> first(UnaryOperator<String> otel, String... names) {
        for (String name : names) {
            String v = trim(otel.apply(name));
            if (v != null && !v.isEmpty()) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }

    private static double number(String key, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parley.tracing." + key + " is not a number: " + value, e);
        }
    }

    /** {@code k1=v1,k2=v2}, the OpenTelemetry list form (values may be percent-encoded). */
    private static Map<String, String> keyValues(String what, String list) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String pair : list.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(what + ": expected key=value, got " + pair.trim());
            }
            // Percent-decoding only: a '+' (common in base64 tokens) stays a '+'.
            String value = pair.substring(eq + 1).trim().replace("+", "%2B");
            result.put(pair.substring(0, eq).trim(), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return result;
    }
}
