package dev.parley.observe;

import java.util.List;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which spans are kept: connection spans by the configured sampler, publishes by their connection. */
class ChatSamplerTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final SpanContext SAMPLED = SpanContext.create(TRACE, "00f067aa0ba902b7", TraceFlags.getSampled(),
                                                                  TraceState.getDefault());
    private static final SpanContext NOT_SAMPLED = SpanContext.create(TRACE, "00f067aa0ba902b7", TraceFlags.getDefault(),
                                                                      TraceState.getDefault());
    private static final String NEW_TRACE = "0af7651916cd43dd8448eb211c80319c";

    @Test
    void connectionSpansFollowTheBaseSampler() {
        assertThat(decide(new ChatSampler(Sampler.alwaysOff(), 1.0), "ws.connection", Context.root(), List.of()))
                .isEqualTo(SamplingDecision.DROP);
        assertThat(decide(new ChatSampler(Sampler.alwaysOn(), 0.0), "ws.connection", Context.root(), List.of()))
                .isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    }

    @Test
    void publishWithoutClientTraceIsKeptOnlyForSampledConnections() {
        ChatSampler all = new ChatSampler(Sampler.alwaysOn(), 1.0);
        assertThat(decide(all, "chat.publish", Context.root(), List.of(LinkData.create(SAMPLED))))
                .isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
        assertThat(decide(all, "chat.publish", Context.root(), List.of(LinkData.create(NOT_SAMPLED))))
                .isEqualTo(SamplingDecision.DROP);
        assertThat(decide(all, "chat.publish", Context.root(), List.of())).isEqualTo(SamplingDecision.DROP);
        ChatSampler none = new ChatSampler(Sampler.alwaysOn(), 0.0);
        assertThat(decide(none, "chat.publish", Context.root(), List.of(LinkData.create(SAMPLED))))
                .isEqualTo(SamplingDecision.DROP);
    }

    @Test
    void publishContinuingAClientTraceFollowsItsFlag() {
        ChatSampler parentBased = new ChatSampler(ChatSampler.named("parentbased_always_on", 1.0), 0.0);
        Context sampledParent = Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(
                TRACE, "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault())));
        Context unsampledParent = Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(
                TRACE, "b7ad6b7169203331", TraceFlags.getDefault(), TraceState.getDefault())));
        assertThat(decide(parentBased, "chat.publish", sampledParent, List.of(LinkData.create(NOT_SAMPLED))))
                .isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
        assertThat(decide(parentBased, "chat.publish", unsampledParent, List.of(LinkData.create(SAMPLED))))
                .isEqualTo(SamplingDecision.DROP);
    }

    @Test
    void namedSamplers() {
        for (String name : TracingSettings.SAMPLERS) {
            assertThat(ChatSampler.named(name, 0.5)).isNotNull();
        }
        assertThat(ChatSampler.named("traceidratio", 0.5).getDescription()).contains("0.5");
    }

    private static SamplingDecision decide(Sampler s, String name, Context parent, List<LinkData> links) {
        return s.shouldSample(parent, NEW_TRACE, name, SpanKind.INTERNAL, Attributes.empty(), links).getDecision();
    }
}
