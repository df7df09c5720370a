// The one WebSocket of this tab: connects, splits server frames into objects, keeps the
// app-level heartbeat, and reconnects with backoff. It knows nothing about rooms.
import { fullJitterDelay } from './backoff.js';

// Timing knobs, together. A page cannot see the server's WebSocket pings, so it asks itself with
// an app-level `ping` whenever nothing has arrived for a while, and a ping nothing answers in
// time means the connection is dead. While the page is visible the person is looking at the
// status, so it probes after PROBE_QUIET_MS of silence and gives PROBE_ANSWER_MS for an answer:
// a dead connection shows within 2 + 2 + 0.5 (watchdog) = 4.5 s, for at most one small ping
// every 2 s from a visible tab in a quiet room. Hidden, it pings at the server's
// `hello.heartbeat` (at most 25 s) and waits ANSWER_FACTOR periods (60 s in all). Judging from
// the last ping, not from the last object, keeps a background tab (whose timers Chrome may run
// once a minute) from false alarms.
const MAX_PING_MS = 25_000;
const ANSWER_FACTOR = 1.4;
const PROBE_QUIET_MS = 2_000;
const PROBE_ANSWER_MS = 2_000;
const HANDSHAKE_MS = 15_000; // upgrade + `hello`; a black-holed server must not hang "Connecting…"
const STABLE_MS = 10_000;    // staying up this long resets the backoff, so a blip retries fast
const WATCH_MS = 500;        // watchdog granularity: detection lags the deadline by at most this

// Close codes that mean "this client is wrong": retrying would only repeat the mistake.
const FATAL_CLOSES = new Map([
  [1003, 'the server refused a binary frame'],
  [1008, 'the server refused this page (policy violation)'],
  [1009, 'a message was too large for the server'],
]);

export class Connection {
  #url;
  #onHello;
  #onObject;
  #onStatus;
  #ws = null;          // the live socket, or null while waiting to reconnect
  #ready = false;      // true once `hello` arrived on #ws: only then may objects be sent
  #attempt = 0;        // failed connects since the last stable connection (drives the backoff)
  #openedAt = 0;       // when #ws delivered `hello`
  #lastRx = 0;         // when #ws last delivered anything (or was created)
  #lastPing = 0;       // when we last pinged
  #awaiting = false;   // a ping is out and nothing has arrived since: anything at all answers it
  #pingMs = MAX_PING_MS;
  #retryTimer = null;
  #watchTimer = null;
  #stopped = false;    // a fatal close or protocol mismatch: only retryNow() starts again

  constructor(url, { onHello, onObject, onStatus }) {
    this.#url = url;
    this.#onHello = onHello;
    this.#onObject = onObject;
    this.#onStatus = onStatus;
    addEventListener('online', () => this.#wake());
    // The network going away usually kills the socket without a word: ask at once.
    addEventListener('offline', () => (this.#ws ? this.#probe() : this.#waitForNetwork()));
    document.addEventListener('visibilitychange', () => {
      if (document.hidden) return;
      this.#wake();
      this.#probe(); // a tab coming back shows the truth within PROBE_ANSWER_MS
    });
    // Leaving the page may keep it alive in the back/forward cache, socket and all: close the
    // socket so the room sees us go now, and resume if the page is shown again.
    addEventListener('pagehide', () => this.#suspend());
    addEventListener('pageshow', e => e.persisted && this.retryNow());
  }

  start() {
    this.#connect(false);
  }

  /** Sends one object if the connection is ready; false tells the caller to keep it for later. */
  send(obj) {
    if (!this.#ready) return false;
    this.#ws.send(JSON.stringify(obj));
    return true;
  }

  /** Skips the remaining backoff wait (the "Retry now" button, network back, tab shown again). */
  retryNow() {
    this.#stopped = false;
    if (!this.#ws) this.#connect(true);
  }

  #wake() {
    if (!this.#stopped) this.retryNow();
  }

  #connect(reconnecting) {
    clearTimeout(this.#retryTimer);
    this.#onStatus({ state: reconnecting ? 'reconnecting' : 'connecting' });
    const ws = new WebSocket(this.#url);
    this.#ws = ws;
    this.#ready = false;
    this.#awaiting = false;
    this.#lastRx = Date.now();
    ws.onmessage = e => this.#receive(ws, e.data);
    ws.onclose = e => this.#closed(ws, e.code);
    clearInterval(this.#watchTimer);
    this.#watchTimer = setInterval(() => this.#watch(), WATCH_MS);
  }

  #receive(ws, data) {
    if (ws !== this.#ws) return;
    this.#lastRx = Date.now();
    this.#awaiting = false;
    // A server frame may carry several objects, one per line (docs/protocol.md, Transport).
    for (const line of String(data).split('\n')) {
      if (!line) continue;
      const obj = JSON.parse(line);
      if (obj.type === 'hello') this.#hello(ws, obj);
      else if (this.#ready) this.#onObject(obj);
    }
  }

  #hello(ws, hello) {
    if (hello.protocol !== 1) {
      this.#stop(ws, 'the server was updated; reload the page');
      return;
    }
    this.#ready = true;
    this.#openedAt = this.#lastPing = this.#lastRx; // hello counts as the answer to a first ping
    this.#pingMs = Math.min(MAX_PING_MS, (hello.heartbeat || 25) * 1000);
    this.#onStatus({ state: 'online' });
    this.#onHello(hello);
  }

  #watch() {
    const now = Date.now();
    const quietMs = document.hidden ? this.#pingMs : PROBE_QUIET_MS;
    const answerMs = document.hidden ? this.#pingMs * ANSWER_FACTOR : PROBE_ANSWER_MS;
    if (!this.#ready) {
      if (now - this.#lastRx >= HANDSHAKE_MS) this.#abandon(this.#ws);
    } else if (this.#awaiting) {
      if (now - this.#lastPing >= answerMs) this.#abandon(this.#ws);
    } else if (now - Math.max(this.#lastRx, this.#lastPing) >= quietMs) {
      this.#ping(now);
    }
  }

  /** Pings now unless a ping is already waiting for its answer. */
  #probe() {
    if (this.#ready && !this.#awaiting) this.#ping(Date.now());
  }

  #ping(now) {
    this.#lastPing = now;
    this.#awaiting = true;
    this.send({ type: 'ping' });
  }

  // A silently dead socket may take minutes to report its close: stop listening to it and
  // reconnect now; close() still lets the browser release it whenever it can.
  #abandon(ws) {
    ws.onclose = ws.onmessage = null;
    ws.close();
    this.#closed(ws, 1006);
  }

  #suspend() {
    clearTimeout(this.#retryTimer);
    if (this.#ws) this.#stop(this.#ws, 'the page was left');
  }

  #stop(ws, reason) {
    ws.onclose = ws.onmessage = null;
    ws.close(1000);
    this.#detach();
    this.#stopped = true;
    this.#onStatus({ state: 'offline', reason });
  }

  #detach() {
    clearInterval(this.#watchTimer);
    this.#ws = null;
    this.#ready = false;
  }

  #closed(ws, code) {
    if (ws !== this.#ws) return;
    if (this.#ready && Date.now() - this.#openedAt >= STABLE_MS) this.#attempt = 0;
    this.#detach();
    if (FATAL_CLOSES.has(code)) {
      this.#stopped = true;
      this.#onStatus({ state: 'offline', reason: FATAL_CLOSES.get(code) });
    } else if (!navigator.onLine) {
      this.#waitForNetwork();
    } else {
      const delay = fullJitterDelay(this.#attempt++);
      this.#retryTimer = setTimeout(() => this.#connect(true), delay);
      this.#onStatus({ state: 'reconnecting', retryAt: Date.now() + delay });
    }
  }

  // Without a network every attempt fails at once; the `online` event brings us back instead.
  #waitForNetwork() {
    clearTimeout(this.#retryTimer);
    this.#onStatus({ state: 'offline', reason: 'no network' });
  }
}
