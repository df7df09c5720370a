package dev.parley.observe;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.tracing.Tracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

import dev.parley.support.ChatClient;

import static org.awaitility.Awaitility.await;

/**
 * Parley's production tracing (sampler, propagation, resource) with spans kept in memory instead
 * of exported: every ended span is available at once, in the order it ended.
 */
final class InMemoryTracing implements AutoCloseable {
    static final AttributeKey<String> SESSION = AttributeKey.stringKey("parley.session");

    final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final Tracing tracing;

    InMemoryTracing() {
        this(Map.of());
    }

    /** {@code settings}: keys under parley.tracing, e.g. publish-ratio. */
    InMemoryTracing(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("enabled", "true");
        TracingSettings s = TracingSettings.from(Config.just(ConfigSources.create(all)), name -> null);
        tracing = Tracing.create(s, SimpleSpanProcessor.create(exporter));
    }

    Tracer tracer() {
        return tracing.tracer();
    }

    List<SpanData> spans(String name) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
    }

    /** Every ended ws.connection span of a session (there must be exactly one, eventually). */
    List<SpanData> connectionSpans(String session) {
        return spans("ws.connection").stream().filter(s -> session.equals(s.getAttributes().get(SESSION))).toList();
    }

    /** Waits for the session's connection span to end and returns it. */
    SpanData awaitConnectionSpan(String session) {
        await().atMost(ChatClient.WAIT).until(() -> !connectionSpans(session).isEmpty());
        return connectionSpans(session).getFirst();
    }

    static List<String> eventNames(SpanData span) {
        return span.getEvents().stream().map(EventData::getName).toList();
    }

    @Override
    public void close() {
        tracing.close();
    }
}
