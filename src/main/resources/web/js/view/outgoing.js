// Above the message box: who is typing, one quiet line for our messages still on their way, and
// "Retry all / Discard all" when several were refused.
import { $, el } from '../dom.js';

export class OutgoingView {
  #actions;
  #shown = '';

  constructor(actions) {
    this.#actions = actions;
  }

  render(room, typists, pending) {
    const failed = room.failed();
    const retryable = failed.some(e => e.retryable);
    const shown = JSON.stringify([room.name, typists, pending, failed.length, retryable]);
    if (shown === this.#shown) return;
    this.#shown = shown;

    $('typing').textContent = typingText(typists);
    // style.css shows this only after a moment, so a send that is answered at once never flashes it.
    $('outgoing').hidden = pending === 0;
    $('outgoing').textContent = `Sending ${pending} message${pending === 1 ? '' : 's'}…`;
    $('failed-all').hidden = failed.length < 2;
    $('failed-all').replaceChildren(
      el('span', { text: `${failed.length} messages not sent.` }),
      retryable && el('button', { type: 'button', class: 'link', text: 'Retry all', onclick: () => this.#actions.retryAll(room.name) }),
      el('button', { type: 'button', class: 'link', text: 'Discard all', onclick: () => this.#actions.discardAll(room.name) }));
  }
}

function typingText(names) {
  switch (names.length) {
    case 0: return '';
    case 1: return `${names[0]} is typing…`;
    case 2: return `${names[0]} and ${names[1]} are typing…`;
    case 3: return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
    default: return `${names[0]}, ${names[1]} and ${names.length - 2} others are typing…`;
  }
}
