// Reconnect delays with "full jitter": a random wait in [0, min(cap, base × 2^attempt)], so
// thousands of tabs cut off by one server restart do not come back in the same millisecond.
const BASE_MS = 500;
const CAP_MS = 30_000;

export function fullJitterDelay(attempt) {
  return Math.floor(Math.random() * Math.min(CAP_MS, BASE_MS * 2 ** attempt));
}
