import type { NewUser, Session, Store } from '../../src/store/store';

/**
 * Wraps a Store and asserts, on every call, the contract its callers owe it (as
 * node-oidc-provider's tests do for its adapters): lowercase valid usernames, times in
 * milliseconds since the epoch, non-empty ids. A route that misuses the store fails its test.
 */
export function checkedStore(inner: Store): Store {
  const username = (u: string) => {
    if (!/^[a-z0-9._@-]{1,64}$/.test(u)) throw new Error(`store contract: username ${JSON.stringify(u)} is not normalized`);
  };
  const millis = (name: string, t: number) => {
    if (!Number.isInteger(t) || t < 1e12 || t > 1e14) throw new Error(`store contract: ${name}=${t} is not epoch milliseconds`);
  };
  const id = (name: string, v: string) => {
    if (typeof v !== 'string' || v.length < 16) throw new Error(`store contract: ${name} must be a random id`);
  };
  const user = (u: NewUser) => {
    username(u.username);
    millis('createdAt', u.createdAt);
    if (!u.passwordHash.startsWith('$argon2id$')) throw new Error('store contract: passwordHash must be argon2id');
  };
  const session = (s: Session) => {
    username(s.username);
    id('jti', s.jti);
    millis('issuedAt', s.issuedAt);
    millis('expiresAt', s.expiresAt);
    if (s.expiresAt <= s.issuedAt) throw new Error('store contract: a session must end after it starts');
  };
  return {
    createUser: (u) => (user(u), inner.createUser(u)),
    findUser: (u) => (username(u), inner.findUser(u)),
    rehashPassword: (u, e, r) => (username(u), inner.rehashPassword(u, e, r)),
    changePassword: (u, g, h, k) => (username(u), k !== null && id('keepJti', k), inner.changePassword(u, g, h, k)),
    deleteUser: (u) => (username(u), inner.deleteUser(u)),
    createSession: (s, g, m) => (session(s), inner.createSession(s, g, m)),
    authenticate: (u, j, n) => (username(u), id('jti', j), millis('now', n), inner.authenticate(u, j, n)),
    listSessions: (u, n) => (username(u), millis('now', n), inner.listSessions(u, n)),
    revokeSession: (u, j, n) => (username(u), id('jti', j), millis('now', n), inner.revokeSession(u, j, n)),
    revokeSessions: (u, k, n) => (username(u), millis('now', n), inner.revokeSessions(u, k, n)),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}
