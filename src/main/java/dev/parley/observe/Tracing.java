package dev.parley.observe;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.helidon.config.Config;
import io.helidon.tracing.Tracer;
import io.helidon.tracing.providers.opentelemetry.HelidonOpenTelemetry;

import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * Parley's tracer and the OpenTelemetry SDK behind it. Helidon 4.1.2 cannot configure an
 * exporter from its config, so the SDK is built here: OTLP exporter, batch processor, resource
 * with {@code service.name}, the sampler, and W3C propagation (the SDK's default propagator does
 * nothing). The SDK is not registered globally: {@code Tracer.global(..)} throws in 4.1.2, and
 * the tracer is handed to {@code ParleyServer} explicitly instead.
 *
 * <p>Off (the default), the tracer is Helidon's no-op: nothing is exported, no exporter or
 * background thread exists, and nothing is logged about a missing collector.
 */
public final class Tracing implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Tracing.class.getName());
    private static final String INSTRUMENTATION_SCOPE = "dev.parley";

    private final Tracer tracer;
    private final SdkTracerProvider provider;
    /** Flushes on JVM exit, should the process go down before {@link #close()} runs; null when off. */
    private final Thread flushOnExit;

    private Tracing(Tracer tracer, SdkTracerProvider provider) {
        this.tracer = tracer;
        this.provider = provider;
        this.flushOnExit = provider == null ? null : new Thread(this::flush, "parley-tracing-flush");
        if (flushOnExit != null) {
            Runtime.getRuntime().addShutdownHook(flushOnExit);
        }
    }

    /** Tracing as configured under {@code parley.tracing} and the OTEL_* overrides. */
    public static Tracing create(Config root) {
        TracingSettings settings = TracingSettings.from(root);
        if (!settings.enabled()) {
            return off();
        }
        String destination = settings.endpoint() + " (OTLP " + settings.protocol().wire() + ")";
        Tracing t = create(settings, BatchSpanProcessor.builder(new ExportFailureLog(exporter(settings), destination)).build());
        LOG.log(System.Logger.Level.INFO, "tracing: exporting spans of service " + settings.serviceName() + " to "
                                          + settings.endpoint() + " (OTLP " + settings.protocol().wire() + "), sampler "
                                          + settings.sampler() + "(" + settings.samplerArg() + "), publish-ratio "
                                          + settings.publishRatio());
        return t;
    }

    /** Tracing with the given span processor: the production sampler, resource and propagation. */
    public static Tracing create(TracingSettings settings, SpanProcessor processor) {
        AttributesBuilder resource = Attributes.builder();
        // Defaults first: OTEL_RESOURCE_ATTRIBUTES may name the instance (e.g. the pod) or the version.
        resource.put(AttributeKey.stringKey("service.version"), BuildInfo.version());
        resource.put(AttributeKey.stringKey("service.instance.id"), UUID.randomUUID().toString());
        settings.resourceAttributes().forEach(resource::put);
        resource.put(AttributeKey.stringKey("service.name"), settings.serviceName());
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(resource.build())))
                .setSampler(new ChatSampler(ChatSampler.named(settings.sampler(), settings.samplerArg()),
                                            settings.publishRatio()))
                .addSpanProcessor(processor)
                .build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(provider)
                .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
                        W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
                .build();
        io.opentelemetry.api.trace.Tracer scope = sdk.getTracerProvider().tracerBuilder(INSTRUMENTATION_SCOPE)
                .setInstrumentationVersion(BuildInfo.version())
                .build();
        return new Tracing(HelidonOpenTelemetry.create(sdk, scope, Map.of()), provider);
    }

    /** No tracing at all. */
    public static Tracing off() {
        return new Tracing(Tracer.noOp(), null);
    }

    public Tracer tracer() {
        return tracer;
    }

    /** Exports what is still queued (bounded wait) and stops the exporter. */
    @Override
    public void close() {
        if (provider == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(flushOnExit);
        } catch (IllegalStateException e) {
            // already exiting: the hook is running or has run; shutting down twice is harmless
        }
        flush();
    }

    private void flush() {
        provider.shutdown().join(5, TimeUnit.SECONDS);
    }

    private static SpanExporter exporter(TracingSettings settings) {
        String endpoint = settings.endpoint().toString();
        return switch (settings.protocol()) {
            case HTTP_PROTOBUF -> {
                var b = OtlpHttpSpanExporter.builder().setEndpoint(endpoint);
                settings.headers().forEach(b::addHeader);
                yield b.build();
            }
            case GRPC -> {
                var b = OtlpGrpcSpanExporter.builder().setEndpoint(endpoint);
                settings.headers().forEach(b::addHeader);
                yield b.build();
            }
        };
    }
}
