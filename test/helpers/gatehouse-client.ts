/** Small HTTP helpers for end-to-end tests against a running gatehouse (real sockets, fetch). */

export const basic = (username: string, password: string) => ({
  Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
});

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** POST /register/ with JSON; resolves with the response. */
export function register(url: string, username: string, password: string): Promise<Response> {
  return fetch(`${url}/register/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
}

/** POST /login/ with Basic credentials; resolves with the response. */
export function login(url: string, username: string, password: string): Promise<Response> {
  return fetch(`${url}/login/`, { method: 'POST', headers: basic(username, password) });
}

/** Logs in and returns the bearer token, failing the test unless the login answers 200. */
export async function tokenFor(url: string, username: string, password: string): Promise<string> {
  const res = await login(url, username, password);
  if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { data: { auth_token: string } }).data.auth_token;
}

/** GET /dashboard/ with the token. */
export function dashboard(url: string, token: string, timeoutMs = 5000): Promise<Response> {
  return fetch(`${url}/dashboard/`, { headers: bearer(token), signal: AbortSignal.timeout(timeoutMs) });
}
