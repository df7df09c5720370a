// The chat protocol over one Connection: which rooms this tab is in, resuming each of them
// after a reconnect, and the outbox of sends the server has not acknowledged yet
// (docs/protocol.md, "How a client should reconnect").
import { Connection } from './connection.js';
import { Room } from './room.js';
import { plainError } from './words.js';

const HISTORY_PAGE = 50;
// Refusals of a `join`: the room then shows why, instead of messages.
const JOIN_REFUSALS = new Set(['invalid_name', 'invalid_room', 'too_many_rooms', 'room_limit']);
// Refusals of a `send` that the same text would get again: no "Retry" for those.
const FINAL_REFUSALS = new Set(['text_too_long', 'invalid_text', 'invalid_id', 'bad_request']);

export class Chat {
  rooms = new Map();             // name → Room, in the order they were joined
  status = { state: 'connecting' };
  limits = { maxText: 4000 };    // until `hello` says otherwise
  notice = null;                 // {text, at}: the latest error that belongs to no message or room
  me;
  #conn;
  #changed;
  #idPrefix;
  #sent = 0;

  constructor(url, me, changed) {
    this.me = me;
    this.#changed = changed;
    // Ids are unique per tab, so two tabs under one name never collide in the server's dedupe.
    this.#idPrefix = `c-${crypto.getRandomValues(new Uint32Array(2)).join('')}`;
    this.#conn = new Connection(url, {
      onHello: hello => this.#hello(hello),
      onObject: obj => this.#receive(obj),
      onStatus: status => { this.status = status; changed(); },
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
    const entry = { id, text, at: Date.now(), seq: null, error: null, retryable: true, echo: null };
    room.outbox.set(id, entry);
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

  discard(roomName, id) {
    this.rooms.get(roomName)?.outbox.delete(id);
    this.#changed();
  }

  loadOlder(roomName) {
    const room = this.rooms.get(roomName);
    if (!room?.canLoadOlder || room.loadingOlder) return;
    room.loadingOlder = this.#conn.send({ type: 'history', room: room.name, before: room.oldestSeq, limit: HISTORY_PAGE });
    this.#changed();
  }

  dismissNotice() {
    this.notice = null;
    this.#changed();
  }

  // Sends before `joined` would be refused as not_joined; `joined` flushes the outbox instead.
  #transmit(room, entry) {
    if (room.state === 'joined') this.#conn.send({ type: 'send', room: room.name, text: entry.text, id: entry.id });
  }

  #join(room) {
    const join = { type: 'join', room: room.name, name: this.me };
    if (room.epoch !== null) Object.assign(join, { epoch: room.epoch, since: room.lastSeq });
    this.#conn.send(join);
  }

  #hello(hello) {
    this.limits = { maxText: hello.maxText ?? this.limits.maxText };
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
      case 'message': room?.add(obj); break;
      case 'ack': room?.acked(obj); break;
      case 'presence': room?.presence(obj); break;
      case 'history': room?.history(obj); break;
      case 'error': this.#refused(obj, room); break;
      default: return; // pong, left, and types newer than this page
    }
    this.#changed();
  }

  #refused(error, room) {
    const text = plainError(error, this.limits);
    const entry = error.ref && this.#entry(error.ref, room);
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
