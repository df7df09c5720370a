package dev.parley.observe;

/**
 * Which connection the current thread works for, so that every log line about a connection
 * carries its session id and trace/span ids. A connection's work runs on its reader thread and on
 * the writer and reaper threads that the reader starts; the value is inheritable, so setting it
 * on the reader before those start covers all three. Read by {@link PlainLogFormatter} and
 * {@link JsonLogFormatter} on the thread that logs.
 */
public final class LogContext {
    private static final InheritableThreadLocal<Ids> CURRENT = new InheritableThreadLocal<>();

    /** traceId and spanId are null when tracing is off. */
    public record Ids(String session, String traceId, String spanId) {
    }

    private LogContext() {
    }

    /** The ids of the connection this thread works for, or null. */
    public static Ids current() {
        return CURRENT.get();
    }

    /** Marks this thread (and threads it starts from now on) as working for a connection. */
    static void set(Ids ids) {
        CURRENT.set(ids);
    }

    /** Runs {@code r} with {@code ids} as the context, then restores the thread's own. */
    static void with(Ids ids, Runnable r) {
        Ids previous = CURRENT.get();
        CURRENT.set(ids);
        try {
            r.run();
        } finally {
            CURRENT.set(previous);
        }
    }
}
