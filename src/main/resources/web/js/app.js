// Parley's chat page: sign-in, the open room in the address (#room, so a link can be shared),
// and one render pass, at most once per frame, that brings every view up to date with the state.
import { Chat } from './chat.js';
import { $, el } from './dom.js';
import { Notifier } from './notifier.js';
import { nameProblem, roomProblem } from './words.js';
import { Composer } from './view/composer.js';
import { MessageList } from './view/messages.js';
import { OutgoingView } from './view/outgoing.js';
import { Sidebar } from './view/sidebar.js';
import { StatusView } from './view/status.js';

const DEFAULT_ROOM = 'lobby';
const NOTICE_MS = 10_000; // an error banner goes away by itself after this
const HIDDEN_RENDER_MS = 500;
// Name and rooms live per tab (sessionStorage), so two tabs of one browser can be two people
// and a reload keeps both; localStorage only pre-fills the nickname for the next visit.
const TAB_NAME = 'parley.name';
const TAB_ROOMS = 'parley.rooms';
const LAST_NAME = 'parley.lastName';
const THEME = 'parley.theme'; // 'light' or 'dark' once the person chose; js/theme.js applies it early
const desktop = matchMedia('(pointer: fine)').matches; // focusing the box would pop a phone's keyboard up

function hashRoom() {
  try {
    return decodeURIComponent(location.hash.slice(1));
  } catch {
    return ''; // a malformed %-escape names no room
  }
}

function socketUrl() {
  const url = new URL('ws', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

// The theme toggle flips whatever is showing now (the system's choice until one is made) and
// remembers the choice for this browser.
function setUpTheme() {
  const systemDark = matchMedia('(prefers-color-scheme: dark)');
  const dark = () => (document.documentElement.dataset.theme ?? (systemDark.matches ? 'dark' : 'light')) === 'dark';
  const paint = () => document.querySelectorAll('.theme-toggle').forEach(b => b.setAttribute('aria-pressed', String(dark())));
  document.querySelectorAll('.theme-toggle').forEach(b => b.addEventListener('click', () => {
    const theme = dark() ? 'light' : 'dark';
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(THEME, theme);
    paint();
  }));
  systemDark.addEventListener('change', paint);
  paint();
}

// With tokens (a server whose `hello` asks for one) the name is the token's: the form shows it
// and asks for the room only. Until the server has said, the form is the nickname one.
function showLogin() {
  $('login').hidden = false;
  $('login-name').value = localStorage.getItem(LAST_NAME) ?? '';
  $('login-room').value = hashRoom() || DEFAULT_ROOM;
  // Selected, so a second tab that wants to be someone else just types over the last name.
  $('login-name').focus();
  $('login-name').select();
  hooks.changed = renderLogin;
  $('login-form').addEventListener('submit', e => {
    e.preventDefault();
    const tokens = chat.auth === 'jwt';
    const name = tokens ? chat.identity?.name : $('login-name').value.trim();
    const room = $('login-room').value.trim().replace(/^#/, '');
    const problem = tokens
      ? (chat.identity ? null : chat.status.reason ?? 'Signing in: wait a moment.') ?? roomProblem(room)
      : nameProblem(name) ?? roomProblem(room);
    $('login-error').textContent = problem ?? '';
    if (problem) return;
    sessionStorage.setItem(TAB_NAME, name);
    if (!tokens) {
      localStorage.setItem(LAST_NAME, name);
      chat.me = name;
    }
    history.replaceState(null, '', `#${room}`);
    $('login').hidden = true;
    enter();
  });
}

function renderLogin() {
  const tokens = chat.auth === 'jwt';
  if (tokens && !$('login-name').hidden && document.activeElement === $('login-name')) $('login-room').focus();
  $('login-name-label').hidden = $('login-name').hidden = tokens;
  $('login-who').hidden = !tokens;
  $('login-lead').textContent = `${tokens ? 'Pick a room.' : 'Pick a nickname and a room.'} `
    + 'To invite someone, share the page\'s address once you are in.';
  if (!tokens) return;
  if (chat.identity) $('login-who').replaceChildren('Signed in as ', el('strong', { dir: 'auto', text: chat.identity.name }));
  else $('login-who').textContent = chat.status.reason ?? 'Signing in…';
}

function enter() {
  const saved = JSON.parse(sessionStorage.getItem(TAB_ROOMS) ?? '[]');
  let active = roomProblem(hashRoom()) ? saved[0] ?? DEFAULT_ROOM : hashRoom();
  let queued = false;
  let noticeTimer = null;
  let typingTimer = null;
  let wasStuck = true;
  let shownRoom = null;  // the room the last render showed
  let shownHidden = true; // whether the tab was hidden at the last render

  const notifier = new Notifier(room => open(room));
  hooks.changed = () => schedule();
  hooks.arrived = (room, message) => notifier.arrived(room, message, chat.me);
  const messages = new MessageList($('scroller'), $('messages'), {
    retry: (room, id) => chat.retry(room, id),
    discard: (room, id) => chat.discard(room, id),
    scrolled: () => messages.stuck !== wasStuck && schedule(),
    nearTop: () => chat.loadOlder(active),
    changed: () => schedule(),
  });
  const sidebar = new Sidebar({ onLeave: leave, onShowAll: name => chat.loadMembers(name) });
  const status = new StatusView({ onRetry: () => chat.retryNow() });
  const outgoing = new OutgoingView({
    retryAll: room => chat.retryAll(room),
    discardAll: room => chat.discardAll(room),
  });
  const composer = new Composer({
    onSend: text => {
      messages.stuck = true; // your own message always comes into view
      chat.send(active, text);
    },
    onTyping: () => chat.typing(active),
  });

  function remember() {
    sessionStorage.setItem(TAB_ROOMS, JSON.stringify([...chat.rooms.keys()]));
  }

  function open(room) {
    chat.join(room);
    active = room;
    remember();
    if (location.hash !== `#${room}`) history.replaceState(null, '', `#${room}`);
    sidebar.toggle(false);
    schedule();
    if (desktop) composer.focus();
  }

  function leave(room) {
    chat.leave(room);
    remember();
    if (room === active) open(chat.rooms.keys().next().value);
  }

  // Hidden tabs get no animation frames; they still need their title's unread count.
  function schedule() {
    if (queued) return;
    queued = true;
    if (document.hidden) setTimeout(render, HIDDEN_RENDER_MS);
    else requestAnimationFrame(render);
  }

  function render() {
    queued = false;
    const room = chat.rooms.get(active);
    markReturn(room);
    messages.render(room, chat.me);
    wasStuck = messages.stuck;
    if (messages.stuck && !document.hidden) room.readSeq = Math.max(room.readSeq, room.lastSeq);

    const unreadHere = room.unreadCount(chat.me);
    const unreadAll = [...chat.rooms.values()].reduce((n, r) => n + r.unreadCount(chat.me), 0);
    document.title = `${unreadAll ? `(${unreadAll}) ` : ''}#${room.name} · Parley`;
    $('room-title').textContent = room.name;
    $('member-summary').textContent = room.state === 'joined' ? `${room.count} online` : '';
    $('jump').hidden = messages.stuck || unreadHere === 0;
    $('jump').textContent = `↓ ${unreadHere} new message${unreadHere === 1 ? '' : 's'}`;
    $('jump-unread').hidden = !messages.unreadAbove;

    renderHistoryEdge(room);
    renderEmpty(room);
    renderNotice();
    renderTyping(room);
    renderNotify();
    $('sign-out').hidden = chat.auth === 'jwt'; // the name is the application's, not chosen here
    sidebar.render(chat, room);
    status.render(chat.status);
    composer.render(room, chat.limits.maxText, chat.me);
  }

  // Coming back to a room (opening it, or showing the tab again) with unread messages puts a
  // "New messages" divider above the first of them; leaving the room takes it away.
  function markReturn(room) {
    const returning = room !== shownRoom || (shownHidden && !document.hidden);
    if (shownRoom && shownRoom !== room) shownRoom.dividerSeq = null;
    if (returning && room.dividerSeq === null && room.unreadCount(chat.me) > 0) room.dividerSeq = room.readSeq;
    shownRoom = room;
    shownHidden = document.hidden;
  }

  function renderTyping(room) {
    const pending = [...room.outbox.values()].filter(e => e.seq === null && !e.error && !e.echo).length;
    const typists = room.typists();
    outgoing.render(room, typists, pending);
    clearTimeout(typingTimer);
    if (typists.length) {
      const next = Math.min(...room.typing.values());
      typingTimer = setTimeout(schedule, Math.max(0, next - Date.now()) + 50);
    }
  }

  function renderNotify() {
    $('notify-setting').hidden = !notifier.supported;
    $('notify').value = notifier.mode;
    $('notify-denied').hidden = !notifier.denied;
  }

  function renderHistoryEdge(room) {
    const older = $('load-older');
    older.hidden = !room.canLoadOlder;
    older.disabled = room.loadingOlder;
    older.textContent = room.loadingOlder ? 'Loading…' : 'Load older messages';
    const start = room.state === 'joined' && room.messages.length > 0 && !room.canLoadOlder;
    $('history-note').hidden = !start;
    $('history-note').textContent = room.oldestSeq <= 1
      ? `This is the beginning of #${room.name}.`
      : 'Older messages are no longer kept.';
  }

  function renderEmpty(room) {
    const empty = $('empty');
    const shown = room.messages.length + room.archive.length + room.outbox.size > 0;
    empty.hidden = shown && room.state !== 'failed';
    if (room.state === 'failed') {
      empty.replaceChildren(el('span', { text: `Could not join #${room.name}. ${room.error}` }),
        el('button', { type: 'button', class: 'pill', text: 'Try again', onclick: () => chat.join(room.name) }));
    } else {
      empty.textContent = room.state === 'joined' ? 'No messages yet. Say hello!' : `Joining #${room.name}…`;
    }
  }

  function renderNotice() {
    $('banner').hidden = !chat.notice;
    if (!chat.notice) return;
    $('banner-text').textContent = chat.notice.text;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => chat.dismissNotice(), chat.notice.at + NOTICE_MS - Date.now());
  }

  $('app').hidden = false;
  $('banner-close').addEventListener('click', () => chat.dismissNotice());
  $('load-older').addEventListener('click', () => chat.loadOlder(active));
  $('jump').addEventListener('click', () => {
    messages.toBottom();
    schedule();
  });
  $('jump-unread').addEventListener('click', () => {
    messages.toFirstUnread();
    schedule();
  });
  $('notify').addEventListener('change', e => notifier.choose(e.target.value).then(schedule));
  $('sign-out').addEventListener('click', () => {
    sessionStorage.removeItem(TAB_NAME);
    location.reload();
  });
  $('room-form').addEventListener('submit', e => {
    e.preventDefault();
    const room = $('room-input').value.trim().replace(/^#/, '');
    const problem = roomProblem(room);
    $('room-form-error').textContent = problem ?? '';
    if (problem) return;
    $('room-input').value = '';
    location.hash = room;
  });
  addEventListener('hashchange', () => {
    const room = hashRoom();
    if (roomProblem(room)) history.replaceState(null, '', `#${active}`);
    else open(room);
  });
  document.addEventListener('visibilitychange', schedule);

  saved.forEach(room => chat.join(room));
  open(active);
}

setUpTheme();
// The connection starts with the page, before sign-in: its `hello` says whether names are chosen
// here or come from the application's tokens. The hooks point at whatever is on screen.
const hooks = { changed: () => {}, arrived: () => {} };
const chat = new Chat(socketUrl(), sessionStorage.getItem(TAB_NAME), {
  changed: () => hooks.changed(),
  arrived: (room, message) => hooks.arrived(room, message),
});
if (sessionStorage.getItem(TAB_NAME)) enter();
else showLogin();
chat.start();
