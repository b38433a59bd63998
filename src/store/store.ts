import { randomInt } from 'node:crypto';

/**
 * The storage contract of gatehouse: users, and the sessions their tokens stand for.
 *
 * Revocation is an allowlist. Every issued token is a session record that expires when the
 * token does; a token is accepted only while its session exists. Logging out deletes the
 * session. Unlike the tutorial's blacklist nothing accumulates, and a store that lost its data
 * rejects old tokens instead of reviving revoked ones.
 *
 * Usernames passed in are already lowercase and valid. Times are milliseconds since the epoch.
 * Every method is atomic: a Redis implementation does each in one command or one Lua script.
 * Methods reject with StoreUnavailableError when the backing service cannot answer.
 */
export interface Store {
  /**
   * Stores `user` unless the username is taken (false then), with a fresh random generation:
   * a login that checked the password of a deleted account cannot create a session on a new
   * account registered under the same name meanwhile.
   */
  createUser(user: NewUser): Promise<boolean>;

  /** The user, or null when there is none. */
  findUser(username: string): Promise<User | null>;

  /**
   * Replaces the password hash only if it is still `expected` (an upgrade of argon2 parameters
   * after a login). Keeps the generation and the sessions. False when the hash or user changed.
   */
  rehashPassword(username: string, expected: string, replacement: string): Promise<boolean>;

  /**
   * Sets a new password hash if the user's generation is still `generation`, increments the
   * generation and ends every session except `keepJti` (null: end all). False when the user is
   * gone or the generation moved on (a concurrent change).
   */
  changePassword(username: string, generation: number, passwordHash: string, keepJti: string | null): Promise<boolean>;

  /** Deletes the user and all of its sessions; false when there was no such user. */
  deleteUser(username: string): Promise<boolean>;

  /**
   * Records a new session, only if the user still exists with `generation` (so a login that
   * checked a password which has since changed yields no token). Expired sessions of the user
   * are dropped, and beyond `maxSessions` the ones closest to expiry are ended, never the new one. False when the
   * user or generation no longer matches.
   */
  createSession(session: Session, generation: number, maxSessions: number): Promise<boolean>;

  /**
   * The bearer-token check, on every protected request: the user's profile when session `jti`
   * of `username` is live at `now`, else null. One round trip.
   */
  authenticate(username: string, jti: string, now: number): Promise<Profile | null>;

  /** The user's sessions live at `now`, oldest first; empty when none or no such user. */
  listSessions(username: string, now: number): Promise<Session[]>;

  /** Ends one session; true when it was live at `now`. */
  revokeSession(username: string, jti: string, now: number): Promise<boolean>;

  /** Ends every session of the user except `keepJti` (null: all); returns how many live ones ended. */
  revokeSessions(username: string, keepJti: string | null, now: number): Promise<number>;

  /** Resolves when the store answers; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>;

  /** Releases connections and timers. */
  close(): Promise<void>;
}

export interface User {
  /** Lowercase. */
  readonly username: string;
  /** PHC-format argon2id hash. */
  readonly passwordHash: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /**
   * Random when the user is created, incremented by every password change; a session is only
   * created for the current one.
   */
  readonly generation: number;
}

export type NewUser = Omit<User, 'generation'>;

/** What protected routes learn about the caller. */
export type Profile = Pick<User, 'username' | 'firstName' | 'lastName'>;

/** One issued token. */
export interface Session {
  /** The token's `jti`. */
  readonly jti: string;
  readonly username: string;
  /** Milliseconds since the epoch: the login's time (the token's `iat` is this to the second). */
  readonly issuedAt: number;
  /** Milliseconds since the epoch (the token's `exp`); the session ends then by itself. */
  readonly expiresAt: number;
  /** User-Agent of the login request, if any. */
  readonly userAgent: string | null;
  /** Client address of the login request. */
  readonly address: string | null;
}

/** A generation for a new user: random, so that re-registering a name starts somewhere else. */
export function freshGeneration(): number {
  // Below 2^47: exact as a double in Lua (Redis) and in JavaScript, with room to increment.
  return randomInt(1, 2 ** 47);
}

/** The store's backing service did not answer (in time); the request may be retried. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
