// The connection status in the top bar, always visible: connecting, online, reconnecting in N s,
// offline. It counts the reconnect wait down by itself.
import { $ } from '../dom.js';

export class StatusView {
  #status = { state: 'connecting' };
  #ticker = null;

  constructor({ onRetry }) {
    $('status-retry').addEventListener('click', onRetry);
  }

  render(status) {
    if (status === this.#status) return;
    this.#status = status;
    clearInterval(this.#ticker);
    if (status.retryAt) this.#ticker = setInterval(() => this.#paint(), 250);
    this.#paint();
  }

  #paint() {
    const { state, retryAt, reason } = this.#status;
    const waitS = retryAt ? Math.ceil((retryAt - Date.now()) / 1000) : 0;
    if (waitS <= 0) clearInterval(this.#ticker);
    // A failed sign-in keeps its reason in view while the page retries: the person has to act.
    const text = {
      connecting: 'Connecting…',
      online: 'Online',
      reconnecting: reason
        ? `${reason} ${waitS > 0 ? `Retrying in ${waitS} s` : 'Retrying…'}`
        : waitS > 0 ? `Reconnecting in ${waitS} s` : 'Reconnecting…',
      offline: reason ? `Offline: ${reason}` : 'Offline',
    }[state];
    $('status').dataset.state = state;
    $('status-text').textContent = text;
    $('status-retry').hidden = !(state === 'offline' || waitS > 1);
  }
}
