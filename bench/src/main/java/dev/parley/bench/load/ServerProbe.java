package dev.parley.bench.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the CPU time and resident memory of one or more processes from Linux's /proc, summed.
 * Used for the server nodes (given {@code --server-pid}), for the Redis they share
 * ({@code --redis-pid}) and for the generator itself, so a report shows how the cores were shared.
 */
final class ServerProbe {

    /** Clock ticks per second for /proc/[pid]/stat, from the auxiliary vector (AT_CLKTCK). */
    private static final long TICKS_PER_SECOND = clockTicks();

    private final long[] pids;

    ServerProbe(long... pids) {
        this.pids = pids.clone();
    }

    static ServerProbe self() {
        return new ServerProbe(ProcessHandle.current().pid());
    }

    /** User plus system CPU time of all the processes in nanoseconds, or -1 if one is gone. */
    long cpuNanos() {
        long total = 0;
        for (long pid : pids) {
            long one = cpuNanos(pid);
            if (one < 0) {
                return -1;
            }
            total += one;
        }
        return total;
    }

    /** All threads of the process count: /proc/PID/stat sums them (Redis' I/O and bio threads too). */
    private static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state); utime and stime are fields 14 and 15.
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 1_000_000_000L / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU time the whole machine spent busy (all but idle and iowait), in nanoseconds, or -1.
     * Busy time minus the server's and the generator's is what other processes took from this
     * run: on a shared machine that is the first thing to check when a figure looks wrong.
     */
    static long machineBusyNanos() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = cpu.trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy * 1_000_000_000L / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** VmRSS in kibibytes (summed over the processes), or -1. */
    long rssKib() {
        return statusField("VmRSS:");
    }

    /** Number of threads, summed (platform threads: virtual threads do not show here), or -1. */
    long threads() {
        return statusField("Threads:");
    }

    private long statusField(String prefix) {
        long total = 0;
        for (long pid : pids) {
            long one = statusField(pid, prefix);
            if (one < 0) {
                return -1;
            }
            total += one;
        }
        return total;
    }

    private static long statusField(long pid, String prefix) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(prefix)) {
                    return Long.parseLong(line.substring(prefix.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static long clockTicks() {
        try {
            ByteBuffer auxv = ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/auxv")))
                    .order(ByteOrder.nativeOrder());
            while (auxv.remaining() >= 16) {
                long type = auxv.getLong();
                long value = auxv.getLong();
                if (type == 17) { // AT_CLKTCK
                    return value;
                }
                if (type == 0) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the value every mainstream Linux configuration uses
        }
        return 100;
    }
}
