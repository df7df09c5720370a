package dev.parley.observe;

import java.util.Locale;
import java.util.Map;

import io.helidon.tracing.Span;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;

import dev.parley.protocol.CloseReason;

/**
 * The {@code ws.connection} span of one connection, from upgrade to the end of cleanup, the
 * traffic counters reported on it, and the two log lines every connection gets: the upgrade
 * (successful upgrades bypass Helidon's access log) and the close, with everything needed to
 * answer "why did this connection drop?".
 *
 * <p>Threads: the upgrade fields and inbound counters are written by the reader thread only,
 * outbound counters by the writer only; all are read once, in {@link #end}, after those threads
 * stopped.
 */
public final class ConnectionTrace {
    /** One logger for connection lifecycle lines, so operators can tune them as one. */
    private static final System.Logger LOG = System.getLogger("dev.parley.connection");

    private final Telemetry telemetry;
    private final Span span;
    /** Null when tracing is off. */
    private final io.opentelemetry.api.trace.SpanContext otel;
    private final long started = System.nanoTime();
    private volatile String session;
    private volatile LogContext.Ids ids;
    private volatile String client;
    private volatile String peer;
    private volatile String userAgent;
    private volatile long messagesIn;
    private volatile long bytesIn;
    private volatile long messagesOut;
    private volatile long bytesOut;
    /** Socket writes so far; the writer's only (one writer at a time, handed over through the outbox lock). */
    private long writes;
    private volatile int roomsJoined;
    /** Set in {@link #opened}: only opened connections count as opened and closed in metrics. */
    private volatile boolean open;
    private boolean ended;

    ConnectionTrace(Telemetry telemetry, Span span, io.opentelemetry.api.trace.SpanContext otel) {
        this.telemetry = telemetry;
        this.span = span;
        this.otel = otel;
        span.addEvent("upgrade");
    }

    public Span span() {
        return span;
    }

    /** The span's OpenTelemetry identity, for links; null when tracing is off. */
    io.opentelemetry.api.trace.SpanContext otelContext() {
        return otel;
    }

    String session() {
        return session;
    }

    public void tag(String key, String value) {
        if (value != null) {
            span.tag(key, value);
        }
    }

    public void event(String name) {
        span.addEvent(name);
    }

    /** An event with typed attributes: numbers and booleans stay numbers and booleans in the trace. */
    public void event(String name, Map<String, ?> attributes) {
        if (otel == null) {
            span.addEvent(name, attributes);
            return;
        }
        AttributesBuilder typed = Attributes.builder();
        attributes.forEach((k, v) -> {
            switch (v) {
                case Integer i -> typed.put(AttributeKey.longKey(k), i.longValue());
                case Long l -> typed.put(AttributeKey.longKey(k), l);
                case Double d -> typed.put(AttributeKey.doubleKey(k), d);
                case Boolean b -> typed.put(AttributeKey.booleanKey(k), b);
                case null -> { }
                default -> typed.put(AttributeKey.stringKey(k), String.valueOf(v));
            }
        });
        span.unwrap(io.opentelemetry.api.trace.Span.class).addEvent(name, typed.build());
    }

    /**
     * Where the connection arrived, as the HTTP and network conventions name it; called on the
     * reader thread with {@link #upgraded}.
     */
    public void endpoints(String path, int serverPort, int peerPort) {
        tag("url.path", path);
        span.tag("server.port", serverPort);
        span.tag("network.peer.port", peerPort);
    }

    /**
     * Who is on the other end: {@code client} is the address as seen through a trusted proxy's
     * X-Forwarded-For, {@code peer} the TCP peer. Called on the reader thread before {@link #opened}.
     */
    public void upgraded(String client, String peer, String userAgent, int protocol) {
        this.client = client;
        this.peer = peer;
        this.userAgent = userAgent;
        tag("client.address", client);
        tag("network.peer.address", peer);
        tag("user_agent.original", userAgent);
        span.tag("parley.protocol", protocol);
        // The span starts with the upgrade request, which a successful connection answered 101.
        span.tag("http.request.method", "GET");
        span.tag("http.response.status_code", 101);
    }

    /**
     * The session is open (reader thread, before the writer starts): from here on,
     * every log line of this connection's threads carries its session and trace ids.
     */
    public void opened(String session) {
        this.session = session;
        span.tag("parley.session", session);
        span.addEvent("open");
        ids = otel != null && otel.isValid()
                ? new LogContext.Ids(session, otel.getTraceId(), otel.getSpanId())
                : new LogContext.Ids(session, null, null);
        LogContext.set(ids);
        open = true;
        telemetry.opened();
        LOG.log(System.Logger.Level.INFO, "websocket upgrade accepted",
                LogFields.of("event", "ws.upgrade", "status", 101, "client", client, "peer", peer,
                             "user_agent", userAgent));
    }

    public void in(int bytes) {
        messagesIn++;
        bytesIn += bytes;
        telemetry.received();
    }

    public void out(int objects, int bytes, long nanos) {
        messagesOut += objects;
        bytesOut += bytes;
        telemetry.wrote(objects, nanos, writes++ % Telemetry.WRITE_SAMPLE == 0);
    }

    public void joined(String room) {
        roomsJoined++;
        span.addEvent("join", Map.of("room", room));
    }

    /** Left a room, by request or because the connection is ending. */
    public void left(String room) {
        span.addEvent("leave", Map.of("room", room));
    }

    /**
     * One accepted {@code send}: records its {@code chat.publish} span (see
     * {@link Telemetry#publishSpan}). {@code traceparent} is the client's, or null.
     */
    public void published(String room, long seq, int fanout, boolean duplicate, long nanos, String traceparent,
                          String broker, long brokerNanos) {
        telemetry.publishSpan(this, room, seq, fanout, duplicate, nanos, traceparent, broker, brokerNanos);
    }

    /** Ends the span exactly once, with everything an operator needs to explain the close. */
    public synchronized void end(CloseReason reason, int code, String closeReason, long cleanupNanos) {
        if (ended) {
            return;
        }
        ended = true;
        String by = reason.side().name().toLowerCase(Locale.ROOT);
        double cleanupMs = cleanupNanos / 1e6;
        if (open) {
            telemetry.closed(reason);
        }
        span.tag("parley.messages.in", messagesIn);
        span.tag("parley.messages.out", messagesOut);
        span.tag("parley.bytes.in", bytesIn);
        span.tag("parley.bytes.out", bytesOut);
        span.tag("parley.rooms.joined", roomsJoined);
        span.tag("parley.close.code", code);
        span.tag("parley.close.reason", closeReason);
        span.tag("parley.close.by", by);
        span.tag("parley.cleanup.ms", cleanupMs);
        span.addEvent("cleanup.done");
        if (reason.abnormal() || code == 1011) {
            span.status(Span.Status.ERROR);
        }
        span.end();
        telemetry.spanEnded();
        if (open) {
            LogContext.with(ids, () -> LOG.log(
                    System.Logger.Level.INFO, "websocket closed",
                    LogFields.of("event", "ws.close", "code", code, "reason", closeReason, "by", by,
                                 "cause", reason.tag(), "client", client,
                                 "duration_ms", (System.nanoTime() - started) / 1_000_000,
                                 "messages_in", messagesIn, "messages_out", messagesOut,
                                 "bytes_in", bytesIn, "bytes_out", bytesOut, "rooms_joined", roomsJoined,
                                 "cleanup_ms", Math.round(cleanupMs * 1000) / 1000.0)));
        }
    }

    /** Runs {@code r} with this connection's ids on its log lines, on a thread that did not inherit them. */
    public void inContext(Runnable r) {
        LogContext.with(ids, r);
    }
}
