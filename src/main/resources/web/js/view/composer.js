// The message box: Enter sends, Shift+Enter adds a line, the box grows with its text, and a
// counter appears near the length limit. Text that is too long never leaves the page.
import { $ } from '../dom.js';

const COUNTER_FROM = 0.9; // show the counter past this share of the limit

export class Composer {
  #onSend;
  #maxText = 4000;

  constructor({ onSend }) {
    this.#onSend = onSend;
    const input = $('input');
    input.addEventListener('keydown', e => {
      // isComposing: Enter also confirms an input method's candidate (Japanese, Chinese, …).
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.#submit();
      }
    });
    input.addEventListener('input', () => {
      this.#fit();
      this.#check();
    });
    $('composer').addEventListener('submit', e => {
      e.preventDefault();
      this.#submit();
      input.focus();
    });
  }

  render(room, maxText) {
    this.#maxText = maxText;
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
    counter.hidden = length < this.#maxText * COUNTER_FROM;
    counter.textContent = length > this.#maxText
      ? `${length - this.#maxText} characters too many`
      : `${this.#maxText - length} left`;
    counter.classList.toggle('over', length > this.#maxText);
    $('send').disabled = input.disabled || !input.value.trim() || length > this.#maxText;
  }
}
