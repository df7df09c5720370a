// The message list of the open room. Each render rebuilds the list of items from state and
// patches the DOM by key, so a render can never duplicate or lose a message; scrolling sticks
// to the bottom only while the person is at the bottom.
import { el } from '../dom.js';
import { avatar, dayKey, dayLabel, fullTime, hue, richText, time } from '../format.js';
import { mentions } from '../mention.js';

const GROUP_MS = 5 * 60_000; // messages of one sender this close together share one header
const BOTTOM_SLACK_PX = 48;  // "at the bottom" tolerates a few pixels of rounding and a partial line
const NEAR_TOP_PX = 400;     // scrolling this close to the top fetches the older page already
// Longer messages start folded (style.css shows about 12 lines) with a "Show more" button.
const LONG_CHARS = 700;
const LONG_LINES = 12;

export class MessageList {
  #scroller;
  #list;
  #actions;
  #nodes = new Map();  // item key → {node, sig} for what #list shows now
  #room = null;        // the room #list shows
  #scrollOf = new WeakMap(); // room → scrollTop when it was left, null if it was at the bottom
  #expanded = new Set();     // keys of long messages the person unfolded
  stuck = true;        // the person is at the bottom: new messages scroll into view

  constructor(scroller, list, actions) {
    this.#scroller = scroller;
    this.#list = list;
    this.#actions = { ...actions, toggle: key => this.#toggle(key) };
    scroller.addEventListener('scroll', () => {
      this.stuck = this.#atBottom();
      if (scroller.scrollTop < NEAR_TOP_PX) actions.nearTop();
      actions.scrolled();
    });
    // The composer growing or the keyboard opening shrinks the view: stay at the bottom if we were.
    new ResizeObserver(() => this.stuck && this.toBottom()).observe(scroller);
  }

  render(room, me) {
    if (room !== this.#room) {
      this.#switchTo(room, items(room, me, this.#expanded));
      return;
    }
    const anchor = this.stuck ? null : this.#firstVisible();
    const offset = anchor && anchor.offsetTop - this.#scroller.scrollTop;
    this.#patch(items(room, me, this.#expanded));
    // By key: the anchor's node is rebuilt when, say, an older page makes it part of a group.
    const again = anchor && this.#nodes.get(anchor.dataset.key)?.node;
    if (this.stuck) {
      this.toBottom();
    } else if (again) {
      // Writing an unchanged scrollTop would cut a touch screen's momentum scroll short.
      const top = again.offsetTop - offset;
      if (Math.abs(top - this.#scroller.scrollTop) >= 1) this.#scroller.scrollTop = top;
    }
  }

  toBottom() {
    this.#scroller.scrollTop = this.#scroller.scrollHeight;
    this.stuck = true;
  }

  /** Scrolls the "New messages" divider to the top of the view. */
  toFirstUnread() {
    const divider = this.#list.querySelector(':scope > .unread-divider');
    if (!divider) return;
    this.#scroller.scrollTop = divider.offsetTop - 8;
    this.stuck = this.#atBottom();
  }

  /** The divider is above what the person sees: offer to jump up to it. */
  get unreadAbove() {
    const divider = this.#list.querySelector(':scope > .unread-divider');
    return divider !== null && divider.offsetTop + divider.offsetHeight < this.#scroller.scrollTop;
  }

  #toggle(key) {
    if (!this.#expanded.delete(key)) this.#expanded.add(key);
    this.#actions.changed();
  }

  // Each room reopens where the person left it.
  #switchTo(room, wanted) {
    if (this.#room) this.#scrollOf.set(this.#room, this.stuck ? null : this.#scroller.scrollTop);
    this.#room = room;
    this.#nodes.clear();
    this.#list.replaceChildren();
    this.#patch(wanted);
    const top = this.#scrollOf.get(room);
    if (top === null || top === undefined) {
      this.toBottom();
    } else {
      this.stuck = false;
      this.#scroller.scrollTop = top;
    }
  }

  #atBottom() {
    const s = this.#scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight <= BOTTOM_SLACK_PX;
  }

  // The message the person is reading keeps its place on screen while older pages load above
  // it. Only messages anchor: a day separator is rebuilt when an older page starts its day.
  #firstVisible() {
    const top = this.#scroller.scrollTop;
    for (const node of this.#list.querySelectorAll(':scope > .msg')) {
      if (node.offsetTop + node.offsetHeight > top) return node;
    }
    return null;
  }

  #patch(wanted) {
    let cursor = this.#list.firstChild;
    const keep = new Set();
    for (const item of wanted) {
      let shown = this.#nodes.get(item.key);
      if (!shown || shown.sig !== item.sig) {
        const node = build(item, this.#actions);
        node.dataset.key = item.key;
        if (shown) {
          if (shown.node === cursor) cursor = node;
          shown.node.replaceWith(node);
        }
        shown = { node, sig: item.sig };
        this.#nodes.set(item.key, shown);
      }
      if (shown.node === cursor) cursor = cursor.nextSibling;
      else this.#list.insertBefore(shown.node, cursor);
      keep.add(item.key);
    }
    while (cursor) {
      const next = cursor.nextSibling;
      cursor.remove();
      cursor = next;
    }
    for (const key of this.#nodes.keys()) if (!keep.has(key)) this.#nodes.delete(key);
  }
}

// What the list should show, top to bottom: the archive from before a restart, this epoch's
// messages, then our sends the server has not echoed yet — with day separators and grouping.
function items(room, me, expanded) {
  const out = [];
  let prev = null;
  let segment = 0; // a restart notice starts a new segment, which may repeat a day
  const names = new Set([...room.members, me]);
  const firstUnread = room.firstUnread(me);
  const push = (m, state, entry) => {
    if (!prev || dayKey(prev.ts) !== dayKey(m.ts)) {
      out.push({ kind: 'day', key: `d:${segment}:${dayKey(m.ts)}`, sig: dayLabel(m.ts), label: dayLabel(m.ts) });
      prev = null;
    }
    if (m === firstUnread) {
      out.push({ kind: 'divider', key: 'new', sig: 'new' });
      prev = null;
    }
    const grouped = prev !== null && prev.from === m.from && m.ts - prev.ts < GROUP_MS;
    const own = m.from === me;
    const error = entry?.error ?? null;
    const named = mentions(m.text, names).map(x => x.name);
    const long = m.text.length > LONG_CHARS || m.text.split('\n').length > LONG_LINES;
    const open = long && expanded.has(m.key);
    out.push({ kind: 'message', key: m.key, m, own, grouped, state, entry, roomName: room.name, names, me,
               long, open, mentionsMe: !own && named.includes(me),
               sig: `${state}|${grouped}|${own}|${error}|${named.join('\n')}|${long}|${open}` });
    prev = m;
  };
  for (const m of room.archive) {
    if (m.notice) {
      out.push({ kind: 'notice', key: m.key, sig: m.notice,
                 text: 'The server restarted. Messages above this line are from before the restart.' });
      prev = null;
      segment++;
    } else {
      push(m, 'acked');
    }
  }
  // A message the server sent back is delivered, whether or not its ack has come yet.
  for (const m of room.messages) push(m, 'acked');
  for (const entry of room.outbox.values()) {
    if (entry.echo) continue;
    const state = entry.error ? 'failed' : entry.seq === null ? 'pending' : 'acked';
    push({ key: `o:${entry.id}`, from: me, text: entry.text, ts: entry.at, id: entry.id }, state, entry);
  }
  return out;
}

function build(item, actions) {
  switch (item.kind) {
    case 'day': return el('li', { class: 'day' }, el('span', { text: item.label }));
    case 'notice': return el('li', { class: 'notice' }, el('span', { text: item.text }));
    case 'divider': return el('li', { class: 'unread-divider' }, el('span', { text: 'New messages' }));
    default: return messageNode(item, actions);
  }
}

function messageNode({ m, own, grouped, state, entry, roomName, names, me, long, open, mentionsMe }, actions) {
  const classes = ['msg', own && 'own', grouped && 'grouped', state !== 'acked' && state, mentionsMe && 'mentioned'];
  const textId = long ? `t-${m.key.replace(/[^\w-]/g, '-')}` : null;
  return el('li', { class: classes.filter(Boolean).join(' '), 'data-seq': m.seq, 'data-id': m.id, 'data-state': state },
    own ? null : avatar(m.from),
    el('div', { class: 'body' },
      el('div', { class: 'meta' },
        el('span', { class: `from ${hue(m.from)}`, dir: 'auto', text: own ? 'You' : m.from }),
        el('time', { datetime: new Date(m.ts).toISOString(), title: fullTime(m.ts), text: time(m.ts) })),
      el('div', { class: 'bubble' },
        el('p', { class: long && !open ? 'text folded' : 'text', id: textId, dir: 'auto' }, ...richText(m.text, names, me)),
        long && el('button', { type: 'button', class: 'link more', 'aria-expanded': String(open), 'aria-controls': textId,
                               text: open ? 'Show less' : 'Show more', onclick: () => actions.toggle(m.key) })),
      status(state, entry, roomName, actions)));
}

function status(state, entry, roomName, actions) {
  // Quiet: the bubble is dimmed and one line above the composer counts what is on its way.
  if (state === 'pending') return el('div', { class: 'state visually-hidden', text: 'Sending…' });
  if (state !== 'failed') return null;
  return el('div', { class: 'state', role: 'alert' },
    el('span', { text: `Not sent. ${entry.error}` }),
    entry.retryable && el('button', { type: 'button', class: 'link', text: 'Retry', onclick: () => actions.retry(roomName, entry.id) }),
    el('button', { type: 'button', class: 'link', text: 'Delete', onclick: () => actions.discard(roomName, entry.id) }));
}
