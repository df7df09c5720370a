// Server error codes in plain words (docs/protocol.md, Error codes). The server's own `message`
// is the fallback for codes this page does not know yet.
const PLAIN = {
  rate_limited: () => 'You are sending messages too quickly. Wait a moment, then retry.',
  text_too_long: limits => `This message is too long: the limit is ${limits.maxText} characters.`,
  invalid_text: () => 'Empty messages cannot be sent.',
  invalid_name: () => 'This nickname is not allowed: use 1 to 32 visible characters.',
  invalid_room: () => 'Room names use letters, digits, dots, dashes and underscores (up to 64).',
  too_many_rooms: () => 'You are in too many rooms at once. Leave one, then try again.',
  room_limit: () => 'The server cannot open another room right now. Try again later.',
  not_joined: () => 'You are not in this room any more.',
};

export function plainError(error, limits) {
  const say = PLAIN[error.code];
  return say ? say(limits) : error.message || 'Something went wrong.';
}

const NAME_MAX = 32;
const ROOM = /^[A-Za-z0-9_.-]{1,64}$/;
// The server's rule (docs/protocol.md): controls, line separators, unassigned code points and
// bidirectional overrides are refused; the zero-width joiner inside emoji is fine.
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}\p{Cn}\p{Cs}\u202A-\u202E\u2066-\u2069\u200E\u200F]/u;

/** The server's rules for names, checked here so a typo gets an answer before any round trip. */
export function nameProblem(name) {
  if (!name.trim()) return 'Pick a nickname.';
  if ([...name].length > NAME_MAX) return `Nicknames are at most ${NAME_MAX} characters.`;
  if (CONTROL.test(name)) return 'Nicknames cannot contain control or invisible characters.';
  return null;
}

export function roomProblem(room) {
  return ROOM.test(room) ? null : PLAIN.invalid_room();
}
