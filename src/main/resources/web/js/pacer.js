// Paces sends to what the server accepts: a token bucket like the server's own (docs/protocol.md,
// `rate_limited`), so a burst of messages goes out at the announced rate, in order, instead of
// being refused. What waits stays in the queue, and the page shows it as not sent yet.
const DEFAULT_RATE = 20;  // parley.rate.per-second, when `hello` does not announce `rate`
const DEFAULT_BURST = 40; // parley.rate.burst, when `hello` does not announce `burst`
// Half the server's burst: the network may bunch sends that left here evenly, and the server's
// bucket sees them as they arrive. Half a burst of slack absorbs bunching of burst/2/rate (1 s).
const BURST_SHARE = 0.5;

export class Pacer {
  #send;             // item → true if it went out (took a token), false if it no longer needs to
  #queue = [];       // items waiting for a token, in send order (item.order ascending)
  #rate = DEFAULT_RATE;
  #burst = DEFAULT_BURST * BURST_SHARE;
  #tokens = this.#burst;
  #last = Date.now();  // when #tokens was last refilled
  #timer = null;       // the pump waiting for the next token, or null
  #calmUntil = 0;      // slowDown() ignores further refusals of the same burst until then

  constructor(send) {
    this.#send = send;
  }

  /** A new connection: a fresh bucket at the rate it announced, and nothing queued for the old one. */
  reset({ rate, burst } = {}) {
    this.#rate = rate > 0 ? rate : DEFAULT_RATE;
    this.#burst = Math.max(1, Math.floor((burst > 0 ? burst : DEFAULT_BURST) * BURST_SHARE));
    this.#tokens = this.#burst;
    this.#last = Date.now();
    this.clear();
  }

  clear() {
    this.#queue = [];
    clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Queues an item in its place by `order`, unless it is queued already. */
  push(item) {
    if (this.#queue.includes(item)) return;
    let i = this.#queue.length;
    while (i > 0 && this.#queue[i - 1].order > item.order) i--;
    this.#queue.splice(i, 0, item);
    this.#pump();
  }

  /** The server refused a send as too fast after all: wait a second, then go on at half the rate. */
  slowDown() {
    const now = Date.now();
    if (now < this.#calmUntil) return; // the rest of a burst already sent: one slow-down is enough
    this.#calmUntil = now + 1000;
    this.#rate = Math.max(1, this.#rate / 2);
    this.#tokens = -this.#rate; // one second without a token
    this.#last = now;
    this.#pump();
  }

  #pump() {
    const now = Date.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#rate / 1000);
    this.#last = now;
    while (this.#queue.length && this.#tokens >= 1) {
      if (this.#send(this.#queue.shift())) this.#tokens -= 1;
    }
    clearTimeout(this.#timer);
    this.#timer = this.#queue.length
      ? setTimeout(() => this.#pump(), Math.ceil((1 - this.#tokens) * 1000 / this.#rate))
      : null;
  }
}
