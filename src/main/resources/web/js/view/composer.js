// The message box: Enter sends, Shift+Enter adds a line, the box grows with its text, a counter
// appears near the length limit, and "@" offers the room's members. Text that is too long never
// leaves the page.
import { $, el } from '../dom.js';
import { mentionQuery } from '../mention.js';

const COUNTER_FROM = 0.9; // show the counter past this share of the limit
const SUGGESTIONS = 6;    // names offered at once after "@"

export class Composer {
  #onSend;
  #onTyping;
  #maxText = 4000;
  #members = [];      // names the "@" list offers: the open room's members but me
  #matches = [];      // names the "@" list shows now
  #chosen = 0;        // index into #matches that Enter or Tab would take
  #query = null;      // {start, query}: the "@nam" being completed, or null

  constructor({ onSend, onTyping }) {
    this.#onSend = onSend;
    this.#onTyping = onTyping;
    const input = $('input');
    input.addEventListener('keydown', e => {
      if (this.#matches.length && this.#suggestKey(e)) return;
      // isComposing: Enter also confirms an input method's candidate (Japanese, Chinese, …).
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.#submit();
      }
    });
    input.addEventListener('input', () => {
      this.#fit();
      this.#check();
      this.#suggest();
      if (input.value.trim()) this.#onTyping();
    });
    input.addEventListener('blur', () => this.#close());
    input.addEventListener('click', () => this.#suggest());
    $('composer').addEventListener('submit', e => {
      e.preventDefault();
      this.#submit();
      input.focus();
    });
  }

  render(room, maxText, me) {
    this.#maxText = maxText;
    this.#members = [...room.members].filter(n => n !== me).sort((a, b) => a.localeCompare(b));
    // A room that refused us would never ack; anywhere else a message waits for the connection.
    $('input').disabled = room.state === 'failed';
    $('input').placeholder = room.state === 'failed' ? `You are not in #${room.name}` : `Message #${room.name}`;
    this.#check();
  }

  focus() {
    $('input').focus();
  }

  #length() {
    return [...$('input').value].length; // the server counts code points
  }

  #submit() {
    this.#check();
    if ($('send').disabled) return;
    this.#onSend($('input').value);
    $('input').value = '';
    this.#close();
    this.#fit();
    this.#check();
  }

  // Grows the box with its text, up to the max-height in style.css. CSSOM writes are not
  // inline style attributes: the page's CSP (style-src 'self') allows them.
  #fit() {
    const input = $('input');
    input.style.height = 'auto';
    input.style.height = `${input.scrollHeight}px`;
  }

  #check() {
    const input = $('input');
    const length = this.#length();
    const counter = $('counter');
    const over = length - this.#maxText;
    counter.hidden = length < this.#maxText * COUNTER_FROM;
    counter.textContent = over > 0
      ? `${over} character${over === 1 ? '' : 's'} too many`
      : `${-over} character${over === -1 ? '' : 's'} left`;
    counter.classList.toggle('over', over > 0);
    $('send').disabled = input.disabled || !input.value.trim() || over > 0;
  }

  // The "@" list: names of the room's members that start with what follows the "@".
  #suggest() {
    const input = $('input');
    this.#query = input.selectionStart === input.selectionEnd ? mentionQuery(input.value, input.selectionStart) : null;
    const q = this.#query?.query.toLocaleLowerCase();
    this.#matches = q === undefined ? [] : this.#members.filter(n => n.toLocaleLowerCase().startsWith(q)).slice(0, SUGGESTIONS);
    this.#chosen = 0;
    this.#paint();
  }

  #suggestKey(e) {
    const n = this.#matches.length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      this.#chosen = (this.#chosen + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      this.#paint();
    } else if ((e.key === 'Enter' && !e.shiftKey && !e.isComposing) || e.key === 'Tab') {
      this.#take(this.#matches[this.#chosen]);
    } else if (e.key === 'Escape') {
      this.#close();
    } else {
      return false;
    }
    e.preventDefault();
    return true;
  }

  #take(name) {
    const input = $('input');
    const { start } = this.#query;
    const end = input.selectionStart;
    input.setRangeText(`@${name} `, start, end, 'end');
    this.#close();
    this.#check();
    input.focus();
  }

  #close() {
    this.#matches = [];
    this.#query = null;
    this.#paint();
  }

  #paint() {
    const list = $('suggestions');
    const input = $('input');
    list.hidden = this.#matches.length === 0;
    list.replaceChildren(...this.#matches.map((name, i) => el('li', {
      id: `suggestion-${i}`, role: 'option', 'aria-selected': String(i === this.#chosen), dir: 'auto', text: `@${name}`,
      // mousedown, not click: the box must keep its focus and caret.
      onmousedown: e => { e.preventDefault(); this.#take(name); },
    })));
    if (list.hidden) input.removeAttribute('aria-activedescendant');
    else input.setAttribute('aria-activedescendant', `suggestion-${this.#chosen}`);
  }
}
