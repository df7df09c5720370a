// The chat protocol over one Connection: which rooms this tab is in, resuming each of them
// after a reconnect, and the outbox of sends the server has not acknowledged yet
// (docs/protocol.md, "How a client should reconnect").
import { Connection } from './connection.js';
import { Pacer } from './pacer.js';
import { Room } from './room.js';
import { plainError } from './words.js';

const HISTORY_PAGE = 50;
const TYPING_EVERY_MS = 2_000; // at most one `typing` per room this often while the person types
// Refusals of a `join`: the room then shows why, instead of messages.
const JOIN_REFUSALS = new Set(['invalid_name', 'invalid_room', 'too_many_rooms', 'room_limit']);
// Refusals of a `send` that the same text would get again: no "Retry" for those.
const FINAL_REFUSALS = new Set(['text_too_long', 'invalid_text', 'invalid_id', 'bad_request']);

export class Chat {
  rooms = new Map();             // name → Room, in the order they were joined
  status = { state: 'connecting' };
  limits = { maxText: 4000 };    // until `hello` says otherwise
  notice = null;                 // {text, at}: the latest error that belongs to no message or room
  me;                            // the name this tab chats under: chosen, or the token's once signed in
  auth = null;                   // 'jwt' once a server asked for a token, 'none' once one did not
  identity = null;               // {user, name, exp} from the server's latest `authenticated`
  typingSupported = true;        // false once this server answered `typing` with unknown_type
  #conn;
  #changed;
  #arrived;                      // (room, message) for each message that is new to this tab, live
  #pacer;
  #idPrefix;
  #sent = 0;
  #typedAt = new Map();          // room name → when we last told the server we were typing

  constructor(url, me, { changed, arrived = () => {} }) {
    this.me = me;
    this.#changed = changed;
    this.#arrived = arrived;
    this.#pacer = new Pacer(item => this.#transmitNow(item));
    // Ids are unique per tab, so two tabs under one name never collide in the server's dedupe.
    this.#idPrefix = `c-${crypto.getRandomValues(new Uint32Array(2)).join('')}`;
    this.#conn = new Connection(url, {
      onHello: hello => this.#hello(hello),
      onObject: obj => this.#receive(obj),
      onStatus: status => this.#statusChanged(status),
      onSignIn: (required, identity) => this.#signedIn(required, identity),
    });
  }

  start() {
    this.#conn.start();
  }

  retryNow() {
    this.#conn.retryNow();
  }

  join(name) {
    const room = this.rooms.get(name) ?? new Room(name);
    if (this.rooms.has(name) && room.state !== 'failed') return;
    room.state = 'joining';
    room.error = null;
    this.rooms.set(name, room);
    this.#join(room);
    this.#changed();
  }

  leave(name) {
    if (!this.rooms.delete(name)) return;
    this.#conn.send({ type: 'leave', room: name });
    this.#changed();
  }

  send(roomName, text) {
    const room = this.rooms.get(roomName);
    const id = `${this.#idPrefix}-${++this.#sent}`;
    const entry = { id, order: this.#sent, room: roomName, text, at: Date.now(), seq: null, error: null,
                    retryable: true, echo: null };
    room.outbox.set(id, entry);
    room.dividerSeq = null; // answering means the new ones are read
    this.#typedAt.delete(roomName);
    this.#transmit(room, entry);
    this.#changed();
  }

  retry(roomName, id) {
    const room = this.rooms.get(roomName);
    const entry = room?.outbox.get(id);
    if (!entry) return;
    entry.error = null;
    this.#transmit(room, entry);
    this.#changed();
  }

  retryAll(roomName) {
    const room = this.rooms.get(roomName);
    room?.failed().filter(e => e.retryable).forEach(e => this.retry(roomName, e.id));
  }

  discard(roomName, id) {
    this.rooms.get(roomName)?.outbox.delete(id);
    this.#changed();
  }

  discardAll(roomName) {
    const room = this.rooms.get(roomName);
    room?.failed().forEach(e => room.outbox.delete(e.id));
    this.#changed();
  }

  /** The person is typing in a room: tell its other members, at most every TYPING_EVERY_MS. */
  typing(roomName) {
    const room = this.rooms.get(roomName);
    const now = Date.now();
    if (!this.typingSupported || room?.state !== 'joined' || now - (this.#typedAt.get(roomName) ?? 0) < TYPING_EVERY_MS) return;
    if (this.#conn.send({ type: 'typing', room: roomName })) this.#typedAt.set(roomName, now);
  }

  loadOlder(roomName) {
    const room = this.rooms.get(roomName);
    if (!room?.canLoadOlder || room.loadingOlder) return;
    room.loadingOlder = this.#conn.send({ type: 'history', room: room.name, before: room.oldestSeq, limit: HISTORY_PAGE });
    this.#changed();
  }

  /** Loads every name of a big room, a page at a time (the person opened the list). */
  loadMembers(roomName, cursor = undefined) {
    const room = this.rooms.get(roomName);
    if (room?.state !== 'joined' || (room.loadingMembers && cursor === undefined)) return;
    room.loadingMembers = this.#conn.send({ type: 'members', room: room.name, ...(cursor ? { cursor } : {}) });
    this.#changed();
  }

  dismissNotice() {
    this.notice = null;
    this.#changed();
  }

  // Sends before `joined` would be refused as not_joined; `joined` flushes the outbox instead.
  #transmit(room, entry) {
    if (room.state === 'joined') this.#pacer.push(entry);
  }

  // The pacer's hand: false for an entry that no longer needs sending (acked, failed, deleted, or
  // its room left or not joined on this connection), so it costs no token.
  #transmitNow(entry) {
    const room = this.rooms.get(entry.room);
    if (room?.state !== 'joined' || room.outbox.get(entry.id) !== entry || entry.seq !== null || entry.error) return false;
    return this.#conn.send({ type: 'send', room: room.name, text: entry.text, id: entry.id });
  }

  #statusChanged(status) {
    this.status = status;
    if (status.state !== 'online') {
      // Whatever the server told us is only history now: the members list is stale, and sends
      // wait for the next `joined`.
      for (const room of this.rooms.values()) {
        if (room.state === 'joined') room.state = 'joining';
        room.typing.clear();
      }
      this.#pacer.clear();
    }
    this.#changed();
  }

  #signedIn(required, identity) {
    this.auth = required ? 'jwt' : 'none';
    if (identity) {
      this.identity = identity;
      this.me = identity.name;
    }
    this.#changed();
  }

  #join(room) {
    // With tokens the server names us after the token and ignores a name in `join`.
    const join = { type: 'join', room: room.name };
    if (this.auth !== 'jwt') join.name = this.me;
    if (room.epoch !== null) Object.assign(join, { epoch: room.epoch, since: room.lastSeq });
    this.#conn.send(join);
  }

  #hello(hello) {
    this.limits = { maxText: hello.maxText ?? this.limits.maxText };
    this.#pacer.reset(hello);
    this.typingSupported = true;
    this.#typedAt.clear();
    for (const room of this.rooms.values()) {
      room.state = 'joining';
      room.loadingOlder = false;
      this.#join(room);
    }
    this.#changed();
  }

  #receive(obj) {
    const room = this.rooms.get(obj.room);
    switch (obj.type) {
      case 'joined':
        if (!room) return;
        room.joined(obj);
        // Resent with their original ids: the server acks a duplicate instead of republishing it.
        room.unsent().forEach(entry => this.#transmit(room, entry));
        break;
      case 'message':
        if (room?.add(obj) && obj.seq > room.head && obj.from !== this.me) this.#arrived(room, obj);
        break;
      case 'ack': room?.acked(obj); break;
      case 'typing':
        if (obj.name !== this.me) room?.typingFrom(obj.name); // our own other tab is not news
        break;
      case 'presence': room?.presence(obj); break;
      case 'history': room?.history(obj); break;
      case 'members':
        if (!room) return;
        room.memberPage(obj);
        room.loadingMembers = false;
        if (obj.next) this.loadMembers(room.name, obj.next); // one page in flight at a time
        break;
      case 'error': this.#refused(obj, room); break;
      default: return; // pong, left, and types newer than this page
    }
    this.#changed();
  }

  #refused(error, room) {
    // Only `typing` is newer than the first protocol: a server without it says unknown_type.
    if (error.code === 'unknown_type') {
      this.typingSupported = false;
      return;
    }
    const entry = error.ref && this.#entry(error.ref, room);
    if (entry && error.code === 'rate_limited') {
      // Not a failure: the server is stricter than it announced. The pacer waits and sends again.
      this.#pacer.slowDown();
      this.#pacer.push(entry);
      return;
    }
    if (error.code === 'unavailable') {
      // The server could not take it right now (its broker is unreachable, or it is draining):
      // nothing was published, so send the same id again after a short, jittered pause. The
      // server's idempotency makes a resend that races a reconnect's resend harmless.
      const again = () => {
        if (entry && room?.outbox.has(entry.id) && entry.seq === null) this.#pacer.push(entry);
        else if (!entry && room && room.state === 'joining') this.#join(room);
      };
      setTimeout(again, 1000 + Math.random() * 1000);
      return;
    }
    const text = plainError(error, this.limits);
    if (entry) {
      Object.assign(entry, { error: text, retryable: !FINAL_REFUSALS.has(error.code) });
    } else if (room && room.state === 'joining' && JOIN_REFUSALS.has(error.code)) {
      Object.assign(room, { state: 'failed', error: text });
    } else {
      if (room) room.loadingOlder = false;
      this.notice = { text, at: Date.now() };
    }
  }

  #entry(id, room) {
    for (const r of room ? [room] : this.rooms.values()) {
      if (r.outbox.has(id)) return r.outbox.get(id);
    }
    return null;
  }
}
