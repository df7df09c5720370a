package dev.parley.observe;

import java.net.URI;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.ParleyServer;
import dev.parley.support.ChatClient;
import dev.parley.support.RawClient;
import dev.parley.support.TestServer;

import static dev.parley.observe.InMemoryTracing.eventNames;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code ws.connection} span on each way a connection ends: its events tell the story in
 * order, its attributes answer "why did it drop?", and it ends exactly once.
 */
class ConnectionSpanTest {
    private static final AttributeKey<Long> CLOSE_CODE = AttributeKey.longKey("parley.close.code");
    private static final AttributeKey<String> CLOSE_BY = AttributeKey.stringKey("parley.close.by");
    private static final AttributeKey<String> CLOSE_REASON = AttributeKey.stringKey("parley.close.reason");

    private static InMemoryTracing tracing;
    private static ParleyServer server;
    private static URI ws;

    @BeforeAll
    static void start() {
        tracing = new InMemoryTracing();
        server = ParleyServer.start(TestServer.config(Map.of(
                "parley.heartbeat", "PT1S",
                "parley.idle-timeout", "PT3S",
                "parley.write-deadline", "PT2S",
                "parley.rate.per-second", "100000",
                "parley.rate.burst", "100000",
                "parley.outbox.max-messages", "16",
                "parley.outbox.max-bytes", "65536")), tracing.tracer());
        ws = TestServer.ws(server);
    }

    @AfterAll
    static void stop() {
        server.stop();
        tracing.close();
    }

    @Test
    void normalClose() {
        String session;
        try (ChatClient alice = ChatClient.joined(ws, "spans-normal", "alice")) {
            session = session(alice);
            alice.say("spans-normal", "hi", "m1");
            alice.next("ack");
            alice.next("message"); // the echo may come after the ack (a room's batch)
        } // close 1000 "bye"
        SpanData span = tracing.awaitConnectionSpan(session);

        assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(eventNames(span)).containsExactly("upgrade", "open", "join", "close.received", "leave", "cleanup.done");
        var a = span.getAttributes();
        assertThat(a.get(CLOSE_CODE)).isEqualTo(1000L);
        assertThat(a.get(CLOSE_REASON)).isEqualTo("bye");
        assertThat(a.get(CLOSE_BY)).isEqualTo("client");
        assertThat(a.get(AttributeKey.longKey("parley.messages.in"))).isEqualTo(2L); // join, send
        assertThat(a.get(AttributeKey.longKey("parley.messages.out"))).isEqualTo(4L); // hello, joined, message, ack
        assertThat(a.get(AttributeKey.longKey("parley.bytes.in"))).isPositive();
        assertThat(a.get(AttributeKey.longKey("parley.bytes.out"))).isPositive();
        assertThat(a.get(AttributeKey.longKey("parley.rooms.joined"))).isEqualTo(1L);
        assertThat(a.get(AttributeKey.longKey("parley.protocol"))).isEqualTo(1L);
        assertThat(a.get(AttributeKey.stringKey("client.address"))).isEqualTo("127.0.0.1");
        assertThat(a.get(AttributeKey.stringKey("user_agent.original"))).startsWith("Java-http-client");
        assertThat(a.get(AttributeKey.doubleKey("parley.cleanup.ms"))).isNotNegative();
        assertThat(a.get(AttributeKey.stringKey("http.request.method"))).isEqualTo("GET");
        assertThat(a.get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(101L);
        EventData closeReceived = span.getEvents().stream().filter(e -> e.getName().equals("close.received"))
                .findFirst().orElseThrow();
        assertThat(closeReceived.getAttributes().get(AttributeKey.longKey("code"))).isEqualTo(1000L);
        assertThat(closeReceived.getAttributes().get(AttributeKey.booleanKey("initiated_by_client"))).isTrue();
        assertEndedOnce(session);
    }

    @Test
    void aRealConnectionNamesItsEndpoints() throws Exception {
        try (RawClient raw = RawClient.connect(ws)) {
            String session = ChatClient.JSON.readTree(raw.read().text()).path("session").asText();
            raw.close();
            SpanData span = tracing.awaitConnectionSpan(session);
            assertThat(span.getAttributes().get(AttributeKey.stringKey("url.path"))).isEqualTo("/ws");
            assertThat(span.getAttributes().get(AttributeKey.longKey("server.port"))).isEqualTo((long) server.port());
            assertThat(span.getAttributes().get(AttributeKey.longKey("network.peer.port"))).isPositive();
        }
    }

    @Test
    void endpointsAreNamedAsTheConventionsNameThem() {
        ConnectionTrace trace = server.telemetry().connection(Map.of());
        trace.endpoints("/ws", 8080, 54321);
        trace.end(dev.parley.protocol.CloseReason.INTERNAL, 1011, "test", 0);
        SpanData span = tracing.spans("ws.connection").stream()
                .filter(s -> Long.valueOf(54321L).equals(s.getAttributes().get(AttributeKey.longKey("network.peer.port"))))
                .findFirst().orElseThrow();
        assertThat(span.getAttributes().get(AttributeKey.stringKey("url.path"))).isEqualTo("/ws");
        assertThat(span.getAttributes().get(AttributeKey.longKey("server.port"))).isEqualTo(8080L);
        assertThat(span.getAttributes().get(AttributeKey.longKey("network.peer.port"))).isEqualTo(54321L);
    }

    @Test
    void tcpReset() throws Exception {
        RawClient raw = RawClient.connect(ws);
        String session = ChatClient.JSON.readTree(raw.read().text()).path("session").asText();
        raw.sendText("{\"type\":\"join\",\"room\":\"spans-reset\",\"name\":\"bob\"}");
        raw.read(); // joined
        raw.reset();

        SpanData span = tracing.awaitConnectionSpan(session);
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(eventNames(span)).containsExactly("upgrade", "open", "join", "leave", "cleanup.done");
        assertThat(span.getAttributes().get(CLOSE_CODE)).isEqualTo(1006L);
        assertThat(span.getAttributes().get(CLOSE_BY)).isEqualTo("network");
        assertThat(span.getAttributes().get(CLOSE_REASON)).isEqualTo("connection lost");
        assertEndedOnce(session);
    }

    @Test
    void slowConsumerCutOff() throws Exception {
        String payload = "x".repeat(2000);
        String session;
        try (ChatClient sender = ChatClient.joined(ws, "spans-slow", "sender");
             RawClient stalled = RawClient.connect(ws, Map.of(), 4096)) {
            session = ChatClient.JSON.readTree(stalled.read().text()).path("session").asText();
            stalled.sendText("{\"type\":\"join\",\"room\":\"spans-slow\",\"name\":\"stalled\"}");
            stalled.read(); // joined; from here on it reads nothing
            int sent = 0;
            // Paced by the sender's own acks, so only the stalled member falls behind.
            while (tracing.connectionSpans(session).isEmpty() && sent < 5000) {
                sender.say("spans-slow", payload, null);
                sender.next("ack");
                sent++;
            }
            SpanData span = tracing.awaitConnectionSpan(session);
            assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(eventNames(span)).startsWith("upgrade", "open", "join")
                    .contains("slow_consumer", "leave")
                    .endsWith("cleanup.done");
            assertThat(eventNames(span).indexOf("slow_consumer")).isLessThan(eventNames(span).indexOf("leave"));
            assertThat(span.getAttributes().get(CLOSE_CODE)).isEqualTo(1013L);
            assertThat(span.getAttributes().get(CLOSE_BY)).isEqualTo("server");
            assertThat(span.getAttributes().get(CLOSE_REASON)).isEqualTo("slow consumer");
            assertEndedOnce(session);
        }
    }

    @Test
    void idleTimeoutAnsweredByTheClient() throws Exception {
        try (RawClient raw = RawClient.connect(ws)) {
            String session = ChatClient.JSON.readTree(raw.read().text()).path("session").asText();
            raw.sendText("{\"type\":\"join\",\"room\":\"spans-idle\",\"name\":\"sleepy\"}");
            // Pings go unanswered until the server gives up; then the client answers its close.
            RawClient.ServerFrame close = raw.readUntilClose();
            assertThat(close.closeCode()).isEqualTo(1001);
            raw.frame(0x8, close.payload(), true);

            SpanData span = tracing.awaitConnectionSpan(session);
            assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
            assertThat(eventNames(span))
                    .containsExactly("upgrade", "open", "join", "idle.timeout", "leave", "close.received", "cleanup.done");
            assertThat(span.getAttributes().get(CLOSE_CODE)).isEqualTo(1001L);
            assertThat(span.getAttributes().get(CLOSE_BY)).isEqualTo("server");
            assertThat(span.getAttributes().get(CLOSE_REASON)).isEqualTo("idle timeout");
            assertEndedOnce(session);
        }
    }

    @Test
    void upgradeTraceparentIsContinued() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String parentId = "00f067aa0ba902b7";
        String session;
        try (ChatClient c = ChatClient.connect(ws, Map.of("traceparent", "00-" + traceId + "-" + parentId + "-01"))) {
            session = c.next("hello").path("session").asText();
        }
        SpanData span = tracing.awaitConnectionSpan(session);
        assertThat(span.getTraceId()).isEqualTo(traceId);
        assertThat(span.getParentSpanId()).isEqualTo(parentId);
        assertThat(span.getParentSpanContext().isRemote()).isTrue();
        assertEndedOnce(session);
    }

    @Test
    void withoutTraceparentTheConnectionStartsItsOwnTrace() {
        String session;
        try (ChatClient c = ChatClient.open(ws)) {
            session = session(c);
        }
        SpanData span = tracing.awaitConnectionSpan(session);
        assertThat(span.getParentSpanContext().isValid()).isFalse();
    }

    @Test
    void publishSpansLinkToTheConnectionAndContinueTheClientTrace() {
        String clientTrace = "0af7651916cd43dd8448eb211c80319c";
        String clientSpan = "b7ad6b7169203331";
        String session;
        long tracedSeq;
        long plainSeq;
        try (ChatClient alice = ChatClient.joined(ws, "spans-publish", "alice");
             ChatClient bob = ChatClient.joined(ws, "spans-publish", "bob")) {
            session = session(alice);
            JsonNode send = ChatClient.obj("type", "send", "room", "spans-publish", "text", "traced", "id", "t1",
                                           "traceparent", "00-" + clientTrace + "-" + clientSpan + "-01");
            alice.send(send);
            tracedSeq = alice.next("ack").path("seq").asLong();
            alice.say("spans-publish", "plain", "p1");
            plainSeq = alice.next("ack").path("seq").asLong();
        }
        SpanData connection = tracing.awaitConnectionSpan(session);
        List<SpanData> publishes = tracing.spans("chat.publish").stream()
                .filter(s -> session.equals(s.getAttributes().get(InMemoryTracing.SESSION))).toList();
        assertThat(publishes).hasSize(2);

        SpanData traced = bySeq(publishes, tracedSeq);
        assertThat(traced.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(traced.getTraceId()).isEqualTo(clientTrace);
        assertThat(traced.getParentSpanId()).isEqualTo(clientSpan);
        assertThat(traced.getAttributes().get(AttributeKey.stringKey("parley.room"))).isEqualTo("spans-publish");
        assertThat(traced.getAttributes().get(AttributeKey.longKey("parley.fanout"))).isEqualTo(2L);
        assertThat(traced.getAttributes().get(AttributeKey.doubleKey("parley.enqueue.ms"))).isNotNegative();
        assertThat(traced.getAttributes().get(AttributeKey.stringKey("parley.broker"))).isEqualTo("memory");
        assertThat(traced.getEvents()).filteredOn(e -> e.getName().equals("broker.publish")).singleElement()
                .satisfies(e -> assertThat(e.getAttributes().get(AttributeKey.doubleKey("parley.broker.ms"))).isNotNegative());

        SpanData plain = bySeq(publishes, plainSeq);
        assertThat(plain.getParentSpanContext().isValid()).isFalse();
        assertThat(plain.getTraceId()).isNotEqualTo(connection.getTraceId());

        for (SpanData p : publishes) {
            assertThat(p.getLinks()).singleElement().satisfies(link -> {
                assertThat(link.getSpanContext().getTraceId()).isEqualTo(connection.getTraceId());
                assertThat(link.getSpanContext().getSpanId()).isEqualTo(connection.getSpanId());
            });
        }
    }

    private static SpanData bySeq(List<SpanData> spans, long seq) {
        return spans.stream().filter(s -> Long.valueOf(seq).equals(s.getAttributes().get(AttributeKey.longKey("parley.seq"))))
                .findFirst().orElseThrow();
    }

    private static String session(ChatClient c) {
        return c.all("hello").getFirst().path("session").asText();
    }

    /**
     * The span ended once and stays ended once: checked again after a later span of another
     * connection has ended, so a second end from a late path would have had time to show.
     */
    private static void assertEndedOnce(String session) {
        String marker;
        try (ChatClient c = ChatClient.open(ws)) {
            marker = session(c);
        }
        tracing.awaitConnectionSpan(marker);
        List<SpanData> spans = tracing.connectionSpans(session);
        assertThat(spans).hasSize(1);
        assertThat(eventNames(spans.getFirst()).stream().filter("cleanup.done"::equals)).hasSize(1);
    }
}
