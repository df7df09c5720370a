// The one WebSocket of this tab: connects, signs in when the server asks for a token, splits
// server frames into objects, keeps the app-level heartbeat, and reconnects with backoff. It knows
// nothing about rooms.
import { fullJitterDelay } from './backoff.js';
import { fetchToken } from './token.js';

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
// A failed sign-in (no token, or a refused one) waits at least this long before the next try, so
// a person who is not signed in to the application does not cost the server a socket per second.
const SIGN_IN_RETRY_MS = 2_000;
// A refresh that failed is tried again after REFRESH_RETRY_MS × 2^n (at most REFRESH_RETRY_CAP_MS)
// while the old token still holds; the server closes with 4002 only after exp plus its grace.
const REFRESH_RETRY_MS = 1_000;
const REFRESH_RETRY_CAP_MS = 15_000;

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
  #onSignIn;
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
  #tokenUrl = null;    // set by a `hello` that asks for a token: later connects fetch one before opening
  #token = null;       // {url, token} fetched for the socket being opened, sent as its first message
  #hello = null;       // #ws's `hello`, held back from #onHello until `authenticated`
  #signInProblem = null; // why the last sign-in failed, shown until one succeeds
  #generation = 0;     // bumped by every connect and suspend: a token fetch for an older one is dropped
  #refreshTimer = null;
  #refreshFailures = 0;

  constructor(url, { onHello, onObject, onStatus, onSignIn = () => {} }) {
    this.#url = url;
    this.#onHello = onHello;
    this.#onObject = onObject;
    this.#onStatus = onStatus;
    this.#onSignIn = onSignIn;
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

  // With a token URL known from an earlier `hello`, the token comes first: a socket is opened
  // only for someone who can sign in, and a close for an expired token (4002) or a missing one
  // (4001) always reconnects with a fresh one.
  #connect(reconnecting) {
    clearTimeout(this.#retryTimer);
    this.#onStatus({ state: reconnecting ? 'reconnecting' : 'connecting', reason: this.#signInProblem });
    const generation = ++this.#generation;
    if (!this.#tokenUrl) {
      this.#open(null);
      return;
    }
    const url = this.#tokenUrl;
    const current = () => generation === this.#generation && !this.#ws && !this.#stopped;
    fetchToken(url).then(
      token => current() && this.#open({ url, token }),
      problem => current() && this.#signInFailed(null, problem.message));
  }

  #open(token) {
    const ws = new WebSocket(this.#url);
    this.#ws = ws;
    this.#token = token;
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
      if (obj.type === 'hello') this.#greeted(ws, obj);
      else if (obj.type === 'authenticated') this.#authenticated(obj);
      else if (obj.type === 'auth_expiring') this.#refresh(ws);
      else if (obj.type === 'error' && obj.code === 'auth_failed') this.#refused(ws, obj);
      else if (this.#ready) this.#onObject(obj);
      if (ws !== this.#ws) return; // the socket was given up on while handling this object
    }
  }

  #greeted(ws, hello) {
    if (hello.protocol !== 1) {
      this.#stop(ws, 'the server was updated; reload the page');
      return;
    }
    this.#pingMs = Math.min(MAX_PING_MS, (hello.heartbeat || 25) * 1000);
    if (hello.auth !== 'jwt') {
      this.#tokenUrl = null;
      this.#signInProblem = null;
      this.#onSignIn(false, null);
      this.#becomeReady(hello);
      return;
    }
    // The server takes nothing but `auth` until a token is verified: the hello (and with it the
    // rooms' joins) waits for `authenticated`.
    if (!hello.tokenUrl) {
      this.#stop(ws, 'the server asks for a sign-in but names no token URL');
      return;
    }
    this.#tokenUrl = hello.tokenUrl;
    this.#hello = hello;
    this.#onSignIn(true, null);
    const prefetched = this.#token?.url === hello.tokenUrl ? this.#token.token : null;
    this.#token = null;
    if (prefetched) this.#sendToken(ws, prefetched);
    else this.#fetchAndSend(ws, problem => this.#signInFailed(ws, problem.message));
  }

  #becomeReady(hello) {
    this.#ready = true;
    this.#openedAt = this.#lastPing = this.#lastRx; // hello (or authenticated) counts as the answer to a first ping
    this.#onStatus({ state: 'online' });
    this.#onHello(hello);
  }

  #fetchAndSend(ws, failed) {
    fetchToken(this.#tokenUrl).then(
      token => ws === this.#ws && this.#sendToken(ws, token),
      problem => ws === this.#ws && failed(problem));
  }

  #sendToken(ws, token) {
    ws.send(JSON.stringify({ type: 'auth', token }));
  }

  // The answer to every valid `auth`, the first and each refresh.
  #authenticated(identity) {
    if (!this.#hello) return; // not asked for: this server does not use tokens
    clearTimeout(this.#refreshTimer);
    this.#refreshFailures = 0;
    this.#signInProblem = null;
    this.#onSignIn(true, { user: identity.user, name: identity.name, exp: identity.exp });
    if (!this.#ready) this.#becomeReady(this.#hello);
  }

  // The token runs out soon: a fresh one on the same socket keeps the rooms and everything else.
  #refresh(ws) {
    clearTimeout(this.#refreshTimer);
    if (this.#ready && this.#hello) this.#fetchAndSend(ws, problem => this.#refreshLater(ws, problem.message));
  }

  #refreshLater(ws, reason) {
    console.warn(`Parley: could not refresh the sign-in (${reason}); trying again`);
    const delay = Math.min(REFRESH_RETRY_CAP_MS, REFRESH_RETRY_MS * 2 ** this.#refreshFailures++);
    this.#refreshTimer = setTimeout(() => ws === this.#ws && this.#refresh(ws), delay);
  }

  #refused(ws, error) {
    const reason = `The server refused the sign-in: ${error.message || 'token refused'}`;
    if (this.#ready) this.#refreshLater(ws, reason);
    else this.#signInFailed(ws, reason);
  }

  // No token, or a refused one, before the socket was ready: give the socket up (the server would
  // close it when its auth timeout ran out) and try again, token first, after a backoff.
  #signInFailed(ws, reason) {
    if (ws) {
      ws.onclose = ws.onmessage = null;
      ws.close(1000);
    }
    this.#detach();
    this.#signInProblem = reason;
    const delay = Math.max(SIGN_IN_RETRY_MS, fullJitterDelay(this.#attempt++));
    this.#retryTimer = setTimeout(() => this.#connect(true), delay);
    this.#onStatus({ state: 'reconnecting', retryAt: Date.now() + delay, reason });
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
    this.#generation++; // a token fetch under way opens no socket for a page that was left
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
    clearTimeout(this.#refreshTimer);
    this.#ws = null;
    this.#ready = false;
    this.#hello = null;
    this.#token = null;
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
