package dev.parley.bench.load;

import java.net.ConnectException;
import java.nio.channels.ClosedByInterruptException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs one blocking task per connection on virtual threads, at most {@code concurrency} at a
 * time, and times each one and the whole.
 *
 * <p>Concurrency is bounded because an unbounded burst of SYNs overflows the server's accept
 * backlog, and a dropped SYN is retried after a full second, which would measure the kernel's
 * retry timer rather than the server. Tasks still running at the deadline are interrupted;
 * a virtual thread blocked on a SocketChannel then gets its channel closed, so no run hangs.
 */
final class Phase {

    interface Task {
        void run(int index) throws Exception;
    }

    /** What a phase did; {@code elapsedNanos} runs from the first start to the last success. */
    record Outcome(String name, int attempted, int succeeded, long elapsedNanos, Histogram micros,
                   Map<String, Integer> failures) {

        int failed() {
            return attempted - succeeded;
        }

        double elapsedMillis() {
            return elapsedNanos / 1e6;
        }
    }

    private Phase() {
    }

    static Outcome run(String name, int count, int concurrency, double timeoutSeconds, Task task)
            throws InterruptedException {
        Semaphore permits = new Semaphore(concurrency);
        Recorder recorder = new Recorder(TimeUnit.MINUTES.toMicros(10), 3);
        AtomicInteger succeeded = new AtomicInteger();
        AtomicLong lastSuccess = new AtomicLong();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>(count);
        long start = System.nanoTime();
        long deadline = start + (long) (timeoutSeconds * 1e9);
        lastSuccess.set(start);
        int launched = 0;
        for (; launched < count; launched++) {
            if (!permits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            int index = launched;
            threads.add(Thread.ofVirtual().name(name + "-" + index).start(() -> {
                long t0 = System.nanoTime();
                try {
                    task.run(index);
                    long t1 = System.nanoTime();
                    recorder.recordValue(Math.min((t1 - t0) / 1000, TimeUnit.MINUTES.toMicros(10)));
                    succeeded.incrementAndGet();
                    lastSuccess.accumulateAndGet(t1, Math::max);
                } catch (Exception e) {
                    failures.merge(reason(e), 1, Integer::sum);
                } finally {
                    permits.release();
                }
            }));
        }
        if (launched < count) {
            failures.merge("phase timeout before start", count - launched, Integer::sum);
        }
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(java.time.Duration.ofNanos(left));
            }
        }
        for (Thread t : threads) {
            if (t.isAlive()) {
                t.interrupt();
            }
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Outcome(name, count, succeeded.get(), lastSuccess.get() - start,
                recorder.getIntervalHistogram(), new TreeMap<>(failures));
    }

    private static String reason(Exception e) {
        if (e instanceof ClosedByInterruptException) {
            return "phase timeout";
        }
        if (e instanceof ConnectException) {
            return "connect: " + e.getMessage();
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
