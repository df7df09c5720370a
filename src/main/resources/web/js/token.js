// Sign-in tokens for a server with `hello.auth` = "jwt": the embedding application hands them out
// at a same-origin URL (`hello.tokenUrl`) to a person signed in to it, by cookie, as
// {"token":"…"}. The page keeps none: it asks for a fresh one for every connection and refresh.
const FETCH_MS = 10_000; // a token URL that hangs must not hold the connection up for longer

/** Why no token came: `message` is shown to the person as it is. */
export class TokenProblem extends Error {}

export async function fetchToken(url) {
  let response;
  try {
    response = await fetch(url, {
      // An application's login guard often redirects instead of answering 401: not followed,
      // a redirect means the same (a followed one would end in a login page's HTML).
      credentials: 'same-origin', cache: 'no-store', redirect: 'manual', headers: { Accept: 'application/json' },
      signal: AbortSignal.timeout(FETCH_MS),
    });
  } catch {
    throw new TokenProblem('Could not reach the sign-in service.');
  }
  if (response.status === 401 || response.status === 403 || response.type === 'opaqueredirect') {
    throw new TokenProblem('Sign in to the application first.');
  }
  if (!response.ok) throw new TokenProblem(`The sign-in service answered ${response.status}.`);
  let body;
  try {
    body = await response.json();
  } catch {
    throw new TokenProblem('The sign-in service answered something other than a token.');
  }
  if (typeof body?.token !== 'string' || !body.token) {
    throw new TokenProblem('The sign-in service answered something other than a token.');
  }
  return body.token;
}
