// @name mentions. Names may hold spaces and any script, so a mention is "@" + a known name, at a
// word start and followed by no further letter or digit; the longest known name wins.
const WORD = /[\p{L}\p{N}_]/u;

/** Where `text` mentions one of `names`: [{start, end, name}] in text order, not overlapping. */
export function mentions(text, names) {
  const byLength = [...names].sort((a, b) => b.length - a.length);
  const found = [];
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at > 0 && WORD.test(text[at - 1])) continue;
    const name = byLength.find(n => same(text.slice(at + 1, at + 1 + n.length), n) && !WORD.test(text[at + 1 + n.length] ?? ''));
    if (!name) continue;
    found.push({ start: at, end: at + 1 + name.length, name });
    at += name.length;
  }
  return found;
}

/** The partial "@nam" just before the caret, for the autocomplete: {start, query} or null. */
export function mentionQuery(text, caret) {
  const match = /(^|[^\p{L}\p{N}_])@([^\s@]{0,32})$/u.exec(text.slice(0, caret));
  return match ? { start: caret - match[2].length - 1, query: match[2] } : null;
}

const same = (a, b) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;
