// Desktop notifications, opt-in: never (the default), when someone mentions me, or for every
// message. They only come while the tab is hidden; the choice is remembered per browser.
import { mentions } from './mention.js';

const CHOICE = 'parley.notify';
const BODY_CHARS = 200;

export class Notifier {
  #onOpen;

  constructor(onOpen) {
    this.#onOpen = onOpen;
  }

  get supported() {
    return 'Notification' in window;
  }

  /** 'off', 'mentions' or 'all': what the person chose, as long as the browser still allows it. */
  get mode() {
    const chosen = localStorage.getItem(CHOICE) ?? 'off';
    return this.supported && Notification.permission === 'granted' ? chosen : 'off';
  }

  get denied() {
    return this.supported && Notification.permission === 'denied';
  }

  /** Asks the browser for permission the first time something other than 'off' is chosen. */
  async choose(mode) {
    localStorage.setItem(CHOICE, mode);
    if (mode !== 'off' && Notification.permission === 'default') await Notification.requestPermission();
  }

  arrived(room, message, me) {
    if (!document.hidden) return;
    const mode = this.mode;
    if (mode === 'off' || (mode === 'mentions' && mentions(message.text, [me]).length === 0)) return;
    try {
      const n = new Notification(`${message.from} in #${room.name}`, {
        body: message.text.slice(0, BODY_CHARS), tag: `parley-${room.name}`, dir: 'auto',
      });
      n.addEventListener('click', () => {
        window.focus();
        this.#onOpen(room.name);
        n.close();
      });
    } catch {
      // Some mobile browsers allow notifications only from a service worker: the badge still counts.
    }
  }
}
