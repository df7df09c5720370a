package dev.parley.observe;

import java.util.List;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;

/**
 * Decides which spans are recorded. Connection spans, and publishes that continue a client's own
 * trace, follow the configured sampler (parent-based by default, so an upstream decision carried
 * in {@code traceparent} is honoured). A publish without client trace context would start a new
 * trace for every message; it is kept only when the connection span it links to is sampled, and
 * then with probability {@code publish-ratio}. Sampling a connection therefore shows its
 * messages, and the per-message volume has a knob of its own.
 */
final class ChatSampler implements Sampler {
    static final String PUBLISH_SPAN = "chat.publish";

    private final Sampler base;
    private final Sampler publishes;

    ChatSampler(Sampler base, double publishRatio) {
        this.base = base;
        this.publishes = Sampler.traceIdRatioBased(publishRatio);
    }

    /** The sampler named as in {@code OTEL_TRACES_SAMPLER}, with its ratio argument. */
    static Sampler named(String name, double arg) {
        return switch (name) {
            case "always_on" -> Sampler.alwaysOn();
            case "always_off" -> Sampler.alwaysOff();
            case "traceidratio" -> Sampler.traceIdRatioBased(arg);
            case "parentbased_always_on" -> Sampler.parentBased(Sampler.alwaysOn());
            case "parentbased_always_off" -> Sampler.parentBased(Sampler.alwaysOff());
            case "parentbased_traceidratio" -> Sampler.parentBased(Sampler.traceIdRatioBased(arg));
            default -> throw new IllegalArgumentException("unknown sampler " + name);
        };
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                                       Attributes attributes, List<LinkData> parentLinks) {
        if (PUBLISH_SPAN.equals(name) && !Span.fromContext(parentContext).getSpanContext().isValid()) {
            boolean connectionSampled = parentLinks.stream().anyMatch(l -> l.getSpanContext().isSampled());
            return connectionSampled
                    ? publishes.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks)
                    : SamplingResult.drop();
        }
        return base.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
    }

    @Override
    public String getDescription() {
        return "ChatSampler{base=" + base.getDescription() + ", publishes=" + publishes.getDescription() + "}";
    }
}
