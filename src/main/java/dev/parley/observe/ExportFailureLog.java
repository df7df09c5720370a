package dev.parley.observe;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * Turns failed span exports into one WARNING line per burst of failures (what failed, where to,
 * the cause, how to fix it) and one INFO line when exports work again. Without it, the OTLP
 * exporter logs every failed export at SEVERE with a 40-line stack trace: with no collector that
 * is a stack trace every five seconds. The exporter's own failure lines are held back (its
 * logger's other lines still reach the log) and their cause goes into the warning.
 */
final class ExportFailureLog implements SpanExporter {
    private static final System.Logger LOG = System.getLogger(Tracing.class.getName());
    /** The OTLP exporters log here ({@code io.opentelemetry.exporter.internal.http/grpc}). */
    private static final Logger EXPORTER_LOG = Logger.getLogger("io.opentelemetry.exporter.internal");
    /** The cause of the latest failed export, as the exporter logged it; any exporter thread. */
    private static final AtomicReference<String> LAST_CAUSE = new AtomicReference<>();

    static {
        // A strong reference (the static field) keeps this configuration: JUL holds loggers weakly.
        EXPORTER_LOG.setUseParentHandlers(false);
        EXPORTER_LOG.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = String.valueOf(record.getMessage());
                if (message.startsWith("Failed to export")) {
                    Throwable t = record.getThrown();
                    LAST_CAUSE.set(t != null ? t.toString() : message);
                } else {
                    Logger.getLogger("").log(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    private final SpanExporter delegate;
    private final String destination;
    /** Failed exports since the last success; 0 while exports work. Updated by the exporter's callbacks. */
    private final AtomicLong failing = new AtomicLong();

    /** {@code destination}: where spans go, for the message, e.g. "http://collector:4318/v1/traces (OTLP http/protobuf)". */
    ExportFailureLog(SpanExporter delegate, String destination) {
        this.delegate = delegate;
        this.destination = destination;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        CompletableResultCode result = delegate.export(spans);
        int count = spans.size();
        result.whenComplete(() -> {
            if (result.isSuccess()) {
                recovered();
            } else {
                failed(count);
            }
        });
        return result;
    }

    private void failed(int spans) {
        if (failing.getAndIncrement() == 0) {
            String cause = LAST_CAUSE.getAndSet(null);
            LOG.log(System.Logger.Level.WARNING, "tracing: could not export " + spans + " spans to " + destination
                    + (cause != null ? ": " + cause : "")
                    + ". Is the collector running and reachable there? Set parley.tracing.endpoint (or "
                    + "OTEL_EXPORTER_OTLP_ENDPOINT) to its address, or parley.tracing.enabled=false. Spans are "
                    + "dropped until an export succeeds; further failures are not logged.");
        }
    }

    private void recovered() {
        long failed = failing.getAndSet(0);
        if (failed > 0) {
            LOG.log(System.Logger.Level.INFO, "tracing: exporting to " + destination + " again, after " + failed
                    + " failed exports");
        }
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }
}
