package dev.parley.bench.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's CPU time and resident memory from Linux's /proc. Used for the server (given
 * {@code --server-pid}) and for the generator itself, so a report shows how the two cores were
 * shared.
 */
final class ServerProbe {

    /** Clock ticks per second for /proc/[pid]/stat, from the auxiliary vector (AT_CLKTCK). */
    private static final long TICKS_PER_SECOND = clockTicks();

    private final long pid;

    ServerProbe(long pid) {
        this.pid = pid;
    }

    static ServerProbe self() {
        return new ServerProbe(ProcessHandle.current().pid());
    }

    /** User plus system CPU time in nanoseconds, or -1 if the process is gone. */
    long cpuNanos() {
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

    /** VmRSS in kibibytes, or -1. */
    long rssKib() {
        return statusField("VmRSS:");
    }

    /** Number of threads (platform threads: virtual threads do not show here), or -1. */
    long threads() {
        return statusField("Threads:");
    }

    private long statusField(String prefix) {
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
