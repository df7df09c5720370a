// How times, days, names and links look on the page.
import { el } from './dom.js';
import { mentions } from './mention.js';

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const FULL = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });
const DAY = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
const DAY_MS = 86_400_000;

export const time = ts => TIME.format(ts);
export const fullTime = ts => FULL.format(ts);

export function dayKey(ts) {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function dayLabel(ts) {
  const key = dayKey(ts);
  if (key === dayKey(Date.now())) return 'Today';
  if (key === dayKey(Date.now() - DAY_MS)) return 'Yesterday';
  return DAY.format(ts);
}

// Names keep one colour everywhere: eight palette classes in style.css, picked by a hash.
export function hue(name) {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return `hue-${h % 8}`;
}

export function avatar(name) {
  return el('span', { class: `avatar ${hue(name)}`, 'aria-hidden': 'true', text: [...name.trim()][0]?.toUpperCase() ?? '?' });
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

/**
 * Text as nodes: web addresses as links (the address is the link's text, never markup), and
 * @mentions of `names` marked, those of `me` marked as such.
 */
export function richText(text, names, me) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    nodes.push(...mentioned(text.slice(last, match.index), names, me));
    nodes.push(el('a', { href: match[0], target: '_blank', rel: 'noopener noreferrer nofollow', text: match[0] }));
    last = match.index + match[0].length;
  }
  nodes.push(...mentioned(text.slice(last), names, me));
  return nodes.filter(n => n !== '');
}

function mentioned(text, names, me) {
  const nodes = [];
  let last = 0;
  for (const { start, end, name } of mentions(text, names)) {
    nodes.push(text.slice(last, start));
    nodes.push(el('span', { class: name === me ? 'mention to-me' : 'mention', text: text.slice(start, end) }));
    last = end;
  }
  nodes.push(text.slice(last));
  return nodes;
}
