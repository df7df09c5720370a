package dev.parley.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.HdrHistogram.Histogram;

/**
 * One selector thread reading many receivers (the default {@code --io nio}).
 *
 * <p>Why a selector rather than one virtual thread per receiver ({@code --io vt}, kept for
 * comparison), measured on this project's 2-core machine, medians of 5 runs (bench/README.md):
 * at one message per frame the generator costs 6.0 µs per delivery with a selector against
 * 10.2 µs with virtual threads, which pay a park, a poller wake-up and an unpark per read where
 * one epoll_wait serves every receiver a broadcast made ready. And with a thousand reader
 * threads, the senders' virtual threads queue behind them on the two carriers: at 400 msg/s
 * to 1,000 receivers, send lag p99 was 206 ms against 9.6 ms, generator queueing that would be
 * reported as server latency. A selector thread is an OS thread that the kernel schedules
 * fairly against the server.
 *
 * <p>Every read of an attached connection runs on this thread; other threads only register
 * connections through the task queue and flip interest bits (pause and resume).
 */
final class Reactor implements Runnable {

    private final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    Reactor(String name) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread = Thread.ofPlatform().name(name).daemon().unstarted(this);
    }

    void start() {
        thread.start();
    }

    /** Latency of the connections read here, one histogram per group; reactor thread only. */
    private final Map<Integer, Histogram> latency = new HashMap<>();

    /**
     * Takes over a connection whose blocking phase (handshake, join) is finished; its latencies
     * go to this reactor's histogram for {@code group}.
     */
    void attach(WsConnection c, int group) {
        tasks.add(() -> {
            c.stats.shareLatency(latency.computeIfAbsent(group,
                    g -> new Histogram(PeerStats.MAX_LATENCY_MICROS, 3)));
            try {
                c.attach(selector);
            } catch (IOException e) {
                c.stats.closed(1006);
                c.shutdown();
            }
        });
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                selector.select(this::onReady, 100);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                selector.close();
            } catch (IOException ignored) {
                // the process is finishing the run; nothing to release beyond the selector
            }
        }
    }

    private void onReady(SelectionKey key) {
        WsConnection c = (WsConnection) key.attachment();
        if (key.isValid() && key.isWritable()) {
            c.onWritable();
        }
        if (key.isValid() && key.isReadable()) {
            c.onReadable();
        }
    }

    /** Stops the loop and waits for it, so the caller may read every attached connection's stats. */
    void stop() throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join();
    }
}
