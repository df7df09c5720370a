// The side panel: the rooms of this tab with unread and mention counts, who is online in the open
// room, and this browser's settings. On a phone it is a drawer over the chat, and while closed
// it is inert: out of the tab order and hidden from assistive technology.
import { $, el } from '../dom.js';
import { avatar } from '../format.js';

const drawer = matchMedia('(max-width: 760px)'); // the same width as the drawer layout in style.css

export class Sidebar {
  #onLeave;
  #onShowAll;
  #shown = ''; // what the lists show: rebuilt only when it changes, so focus and hover survive

  constructor({ onLeave, onShowAll }) {
    this.#onLeave = onLeave;
    this.#onShowAll = onShowAll;
    $('menu').addEventListener('click', () => this.toggle());
    $('scrim').addEventListener('click', () => this.toggle(false));
    $('sidebar').addEventListener('keydown', e => {
      if (e.key === 'Escape' && this.#open) {
        this.toggle(false);
        $('menu').focus();
      }
    });
    drawer.addEventListener('change', () => this.toggle(false));
    this.toggle(false);
  }

  get #open() {
    return $('sidebar').classList.contains('open');
  }

  toggle(open = !this.#open) {
    $('sidebar').classList.toggle('open', open);
    $('sidebar').inert = drawer.matches && !open;
    $('scrim').hidden = !open;
    $('menu').setAttribute('aria-expanded', String(open));
    if (open && drawer.matches) $('sidebar').querySelector('a, button, input')?.focus();
  }

  render(chat, active) {
    const rooms = [...chat.rooms.values()];
    const unread = new Map(rooms.map(room => [room, room === active ? [0, 0] : [room.unreadCount(chat.me), room.mentionCount(chat.me)]]));
    const names = [...active.members].sort((a, b) => a.localeCompare(b));
    const stale = active.state !== 'joined';
    const unlisted = active.unlisted;
    const shown = JSON.stringify([rooms.map(r => [r.name, r === active, unread.get(r), r.error]), active.state, names,
      active.count, unlisted, active.loadingMembers]);
    if (shown === this.#shown) return;
    this.#shown = shown;

    $('rooms').replaceChildren(...rooms.map(room => {
      const [count, mentioned] = unread.get(room);
      return el('li', { class: room === active ? 'active' : null },
        el('a', { href: `#${room.name}`, 'aria-current': room === active ? 'page' : null },
          el('span', { class: 'hash', text: '#' }),
          el('span', { class: 'name', text: room.name }),
          mentioned > 0 && el('span', { class: 'badge mentions', text: `@${mentioned}`, 'aria-label': `${mentioned} mentioning you` }),
          count > 0 && el('span', { class: 'badge', text: count > 99 ? '99+' : String(count), 'aria-label': `${count} unread` }),
          room.state === 'failed' && el('span', { class: 'badge warn', text: '!', title: room.error })),
        // The last room cannot be left: the page always shows one.
        rooms.length > 1 && el('button', {
          type: 'button', class: 'icon-button leave', text: '×', 'aria-label': `Leave #${room.name}`,
          title: `Leave #${room.name}`, onclick: () => this.#onLeave(room.name),
        }));
    }));

    // While the connection is down the list is what we last knew, and it says so.
    $('people').classList.toggle('stale', stale);
    $('people-stale').hidden = !stale || active.state === 'failed';
    $('member-count').textContent = active.count && active.state !== 'failed' ? String(active.count) : '';
    // A big room lists its first names on join; the rest load when the person asks for them.
    const more = unlisted > 0 && active.state === 'joined' && el('li', { class: 'more-members' },
      el('button', {
        type: 'button', class: 'link', disabled: active.loadingMembers ? '' : null,
        text: active.loadingMembers ? 'Loading…' : `Show all ${active.count}`,
        onclick: () => this.#onShowAll(active.name),
      }));
    $('members').replaceChildren(...names.map(name => el('li', {},
      avatar(name), el('span', { class: 'name', dir: 'auto', text: name }), name === chat.me && el('span', { class: 'you', text: 'you' }))),
      ...(more ? [more] : []));
    $('me').textContent = chat.me;
  }
}
