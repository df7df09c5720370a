package dev.parley.admin;

/**
 * Requests per API key ({@code parley.api.rate.*}): a token bucket per key. Shared by the admin
 * socket's request threads: every field is guarded by this object's monitor (no I/O under it).
 */
final class KeyRateLimit {
    private final double perNano;
    private final double burst;
    /** Tokens per key index; guarded by this. */
    private final double[] tokens;
    /** System.nanoTime() of each key's last refill; guarded by this. */
    private final long[] last;

    KeyRateLimit(int keys, double perSecond, int burst, long now) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = new double[keys];
        this.last = new long[keys];
        java.util.Arrays.fill(tokens, burst);
        java.util.Arrays.fill(last, now);
    }

    /** Takes a token for key {@code key}; false when it has none at {@code now}. */
    synchronized boolean tryTake(int key, long now) {
        tokens[key] = Math.min(burst, tokens[key] + (now - last[key]) * perNano);
        last[key] = now;
        if (tokens[key] >= 1) {
            tokens[key] -= 1;
            return true;
        }
        return false;
    }
}
