package dev.parley.observe;

import java.util.Map;

import io.helidon.tracing.Span;

import dev.parley.protocol.CloseReason;

/**
 * The {@code ws.connection} span of one connection, from upgrade to the end of cleanup, and the
 * traffic counters reported on it. Inbound counters are written by the reader thread only,
 * outbound ones by the writer only; both are read once, at the end, after those threads stopped.
 */
public final class ConnectionTrace {
    private final Telemetry telemetry;
    private final Span span;
    private volatile long messagesIn;
    private volatile long bytesIn;
    private volatile long messagesOut;
    private volatile long bytesOut;
    private volatile int roomsJoined;
    private boolean ended;

    ConnectionTrace(Telemetry telemetry, Span span) {
        this.telemetry = telemetry;
        this.span = span;
        span.addEvent("upgrade");
    }

    public Span span() {
        return span;
    }

    public void tag(String key, String value) {
        if (value != null) {
            span.tag(key, value);
        }
    }

    public void event(String name) {
        span.addEvent(name);
    }

    public void event(String name, Map<String, ?> attributes) {
        span.addEvent(name, attributes);
    }

    public void opened(String session) {
        span.tag("parley.session", session);
        span.addEvent("open");
        telemetry.opened();
    }

    public void in(int bytes) {
        messagesIn++;
        bytesIn += bytes;
        telemetry.received();
    }

    public void out(int objects, int bytes, long nanos) {
        messagesOut += objects;
        bytesOut += bytes;
        telemetry.wrote(objects, nanos);
    }

    public void joined(String room) {
        roomsJoined++;
        span.addEvent("join", Map.of("room", room));
    }

    /** Ends the span exactly once, with everything an operator needs to explain the close. */
    public synchronized void end(CloseReason reason, int code, String closeReason, long cleanupNanos) {
        if (ended) {
            return;
        }
        ended = true;
        telemetry.closed(reason);
        span.tag("parley.messages.in", messagesIn);
        span.tag("parley.messages.out", messagesOut);
        span.tag("parley.bytes.in", bytesIn);
        span.tag("parley.bytes.out", bytesOut);
        span.tag("parley.rooms.joined", roomsJoined);
        span.tag("parley.close.code", code);
        span.tag("parley.close.reason", closeReason);
        span.tag("parley.close.by", reason.side().name().toLowerCase(java.util.Locale.ROOT));
        span.tag("parley.cleanup.ms", cleanupNanos / 1e6);
        span.addEvent("cleanup.done");
        if (reason.abnormal() || code == 1011) {
            span.status(Span.Status.ERROR);
        }
        span.end();
    }
}
