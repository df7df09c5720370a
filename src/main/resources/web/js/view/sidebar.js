// The side panel: the rooms of this tab with unread counts, and who is online in the open room.
// On a phone it is a drawer over the chat.
import { $, el } from '../dom.js';
import { avatar } from '../format.js';

export class Sidebar {
  #onLeave;
  #shown = ''; // what the lists show: rebuilt only when it changes, so focus and hover survive

  constructor({ onLeave }) {
    this.#onLeave = onLeave;
    $('menu').addEventListener('click', () => this.toggle());
    $('scrim').addEventListener('click', () => this.toggle(false));
  }

  toggle(open = $('sidebar').classList.contains('open') === false) {
    $('sidebar').classList.toggle('open', open);
    $('scrim').hidden = !open;
    $('menu').setAttribute('aria-expanded', String(open));
  }

  render(chat, active) {
    const rooms = [...chat.rooms.values()];
    const unread = new Map(rooms.map(room => [room, room === active ? 0 : room.unreadCount(chat.me)]));
    const names = [...active.members].sort((a, b) => a.localeCompare(b));
    const shown = JSON.stringify([rooms.map(r => [r.name, r === active, unread.get(r), r.error]), active.state, names]);
    if (shown === this.#shown) return;
    this.#shown = shown;

    $('rooms').replaceChildren(...rooms.map(room => {
      const count = unread.get(room);
      return el('li', { class: room === active ? 'active' : null },
        el('a', { href: `#${room.name}`, 'aria-current': room === active ? 'page' : null },
          el('span', { class: 'hash', text: '#' }),
          el('span', { class: 'name', text: room.name }),
          count > 0 && el('span', { class: 'badge', text: count > 99 ? '99+' : String(count), 'aria-label': `${count} unread` }),
          room.state === 'failed' && el('span', { class: 'badge warn', text: '!', title: room.error })),
        // The last room cannot be left: the page always shows one.
        rooms.length > 1 && el('button', {
          type: 'button', class: 'icon-button leave', text: '×', 'aria-label': `Leave #${room.name}`,
          title: `Leave #${room.name}`, onclick: () => this.#onLeave(room.name),
        }));
    }));

    $('member-count').textContent = active.state === 'joined' ? String(names.length) : '';
    $('members').replaceChildren(...names.map(name => el('li', {},
      avatar(name), el('span', { class: 'name', text: name }), name === chat.me && el('span', { class: 'you', text: 'you' }))));
    $('me').textContent = chat.me;
  }
}
