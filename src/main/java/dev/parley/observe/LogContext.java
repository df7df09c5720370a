package dev.parley.observe;

/**
 * Which connection the current thread works for, so that every log line about a connection
 * carries its session id and trace/span ids. A connection's work runs on its reader thread, its
 * writer thread and its cleanup thread. The reader sets the value; the writer and the cleanup bind
 * it themselves, because whoever starts them (a room's fan-out, the watchdog) may work for another
 * connection, and Parley starts its threads without inheriting. Read by {@link PlainLogFormatter}
 * and {@link JsonLogFormatter} on the thread that logs.
 *
 * <p>Those threads are all virtual. A platform thread that some library happens to create lazily
 * from a connection thread (a pool worker, say) would inherit the value too and then label its
 * lines with a stranger's session for the rest of its life; an inherited value is therefore
 * honoured on virtual threads only.
 */
public final class LogContext {
    private static final InheritableThreadLocal<Binding> CURRENT = new InheritableThreadLocal<>();

    /** traceId and spanId are null when tracing is off. */
    public record Ids(String session, String traceId, String spanId) {
    }

    private record Binding(Ids ids, Thread owner) {
    }

    private LogContext() {
    }

    /** The ids of the connection this thread works for, or null. */
    public static Ids current() {
        Binding b = CURRENT.get();
        if (b == null) {
            return null;
        }
        Thread t = Thread.currentThread();
        return t == b.owner() || t.isVirtual() ? b.ids() : null;
    }

    /** Marks this thread (and virtual threads it starts from now on) as working for a connection. */
    static void set(Ids ids) {
        CURRENT.set(ids == null ? null : new Binding(ids, Thread.currentThread()));
    }

    /** Runs {@code r} with {@code ids} as the context, then restores the thread's own. */
    static void with(Ids ids, Runnable r) {
        Binding previous = CURRENT.get();
        set(ids);
        try {
            r.run();
        } finally {
            CURRENT.set(previous);
        }
    }
}
