// One room as this tab sees it: what the server told us, what we show, and what we still owe
// the server. Pure state, no I/O: chat.js feeds it protocol objects, the views read it.
import { mentions } from './mention.js';

const TYPING_SHOWN_MS = 4_000; // "… is typing" lasts this long after the last `typing` event
export class Room {
  name;
  state = 'joining';   // 'joining' until `joined` on the current connection, then 'joined'; 'failed' if refused
  error = null;        // plain-words reason while 'failed'
  epoch = null;        // epoch of `messages`; null before the first `joined`
  head = 0;            // the room's head seq at our last `joined`
  messages = [];       // this epoch's messages, ascending seq, each seq once
  bySeq = new Map();   // seq → message of `messages`
  archive = [];        // what was shown before the server restarted (an older epoch), then a notice
  members = new Set(); // distinct names online that we know of (a big room's first page, then what we loaded)
  count = 0;           // names online, as the server counts them (may exceed members.size in a big room)
  loadingMembers = false; // a `members` page is on its way
  outbox = new Map();  // id → {id, order, room, text, at, seq, error, retryable, echo}: our sends until both acked and echoed, in send order
  more = null;         // older history exists: null = not asked yet, else `history.more`
  loadingOlder = false;
  readSeq = 0;         // highest seq the person has had on screen; later messages from others are unread
  dividerSeq = null;   // "New messages" goes after this seq: the readSeq when the person came back, or null
  typing = new Map();  // name → until when (ms) it is shown as typing

  constructor(name) {
    this.name = name;
  }

  /** The seq to resume from: the last one we hold, or the head when we were given no backlog. */
  get lastSeq() {
    return this.messages.length ? this.messages.at(-1).seq : this.head;
  }

  /** Oldest seq we could page back from; 1 means the beginning of the room. */
  get oldestSeq() {
    return this.messages.length ? this.messages[0].seq : this.head + 1;
  }

  get canLoadOlder() {
    return this.state === 'joined' && this.oldestSeq > 1 && this.more !== false;
  }

  joined({ epoch, seq, recovered, members, count }) {
    if (!(recovered && epoch === this.epoch)) {
      // The replay will not continue our view: keep a restarted server's old conversation
      // visible above a notice, and otherwise redraw from the backlog (docs/protocol.md, Resume).
      if (this.epoch !== null && epoch !== this.epoch && this.messages.length) {
        this.archive.push(...this.messages, { notice: 'restart', key: `n:${epoch}` });
      }
      this.messages = [];
      this.bySeq.clear();
      this.more = null;
      this.readSeq = seq;
      this.dividerSeq = null;
      // An acked send whose echo never came belongs to the view we just dropped; an unacked
      // one goes back to the bottom of the view until the backlog or its resend echoes it.
      for (const [id, entry] of this.outbox) {
        if (entry.seq !== null) this.outbox.delete(id);
        else entry.echo = null;
      }
    }
    this.epoch = epoch;
    this.head = seq;
    this.members = new Set(members);
    this.count = count ?? this.members.size;
    this.loadingMembers = false;
    this.state = 'joined';
    this.error = null;
    this.loadingOlder = false;
  }

  /** Adds a message unless its seq is already shown (replays and history pages may overlap): true if added. */
  add(message) {
    if (this.bySeq.has(message.seq)) return false;
    this.typing.delete(message.from);
    const m = { ...message, key: `m:${this.epoch}:${message.seq}` };
    let i = this.messages.length;
    while (i > 0 && this.messages[i - 1].seq > m.seq) i--;
    this.messages.splice(i, 0, m);
    this.bySeq.set(m.seq, m);
    const entry = m.id && this.outbox.get(m.id);
    if (entry) {
      entry.echo = m;
      if (entry.seq !== null) this.outbox.delete(m.id);
    }
    return true;
  }

  acked({ seq, id }) {
    const entry = this.outbox.get(id);
    if (!entry) return;
    entry.seq = seq;
    entry.error = null;
    if (entry.echo) this.outbox.delete(id);
  }

  history({ messages, more }) {
    messages.forEach(m => this.add(m));
    this.more = more;
    this.loadingOlder = false;
  }

  presence({ event, name, joined = [], left = [], count }) {
    if (event === 'join') this.members.add(name);
    else if (event === 'leave') this.members.delete(name);
    else if (event === 'batch') {
      joined.forEach(n => this.members.add(n));
      left.forEach(n => this.members.delete(n));
    } else return;
    this.count = count ?? this.members.size;
  }

  /** Names the server has that we have not loaded (a big room lists the first 100 on join). */
  get unlisted() {
    return Math.max(0, this.count - this.members.size);
  }

  /** A page of `members`: set updates, like presence. */
  memberPage({ names, count }) {
    names.forEach(n => this.members.add(n));
    this.count = count;
  }

  typingFrom(name) {
    this.typing.set(name, Date.now() + TYPING_SHOWN_MS);
  }

  /** Who is typing now, in the order they started, and when the first of them stops showing. */
  typists(now = Date.now()) {
    for (const [name, until] of this.typing) if (until <= now) this.typing.delete(name);
    return [...this.typing.keys()];
  }

  /** Our sends the server refused, in send order. */
  failed() {
    return [...this.outbox.values()].filter(e => e.error);
  }

  /** Sends to (re)transmit: not acked yet and not refused. */
  unsent() {
    return [...this.outbox.values()].filter(e => e.seq === null && !e.error);
  }

  unreadCount(me) {
    return this.#unread(me).length;
  }

  /** Unread messages that mention me by name. */
  mentionCount(me) {
    return this.#unread(me).filter(m => mentions(m.text, [me]).length > 0).length;
  }

  /** The first message after the "New messages" divider, or null. */
  firstUnread(me) {
    if (this.dividerSeq === null) return null;
    return this.messages.find(m => m.seq > this.dividerSeq && m.from !== me) ?? null;
  }

  #unread(me) {
    const out = [];
    for (let i = this.messages.length - 1; i >= 0 && this.messages[i].seq > this.readSeq; i--) {
      if (this.messages[i].from !== me) out.push(this.messages[i]);
    }
    return out;
  }
}
