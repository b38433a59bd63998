import { freshGeneration, type NewUser, type Profile, type Session, type Store, type User } from './store';

interface Entry {
  user: User;
  /** Live sessions by jti. */
  sessions: Map<string, Session>;
}

export interface MemoryStoreOptions {
  /** Clock for the periodic sweep of expired sessions, in ms; defaults to Date.now. */
  clock?: () => number;
  /** How often expired sessions are swept, in ms (default one minute). */
  sweepInterval?: number;
}

/**
 * The Store in process memory: for development, tests and single-instance use without Redis.
 * Everything is lost on restart. Expired sessions are dropped when touched and by a periodic
 * sweep, so memory is bounded by users × MAX_SESSIONS_PER_USER.
 */
export class MemoryStore implements Store {
  readonly #users = new Map<string, Entry>();
  readonly #clock: () => number;
  readonly #sweeper: NodeJS.Timeout;

  constructor({ clock = Date.now, sweepInterval = 60_000 }: MemoryStoreOptions = {}) {
    this.#clock = clock;
    this.#sweeper = setInterval(() => this.sweep(this.#clock()), sweepInterval);
    this.#sweeper.unref();
  }

  /** Drops every session that has expired at `now`. */
  sweep(now: number): void {
    for (const entry of this.#users.values()) prune(entry, now);
  }

  async createUser(user: NewUser): Promise<boolean> {
    if (this.#users.has(user.username)) return false;
    this.#users.set(user.username, { user: { ...user, generation: freshGeneration() }, sessions: new Map() });
    return true;
  }

  async findUser(username: string): Promise<User | null> {
    return this.#users.get(username)?.user ?? null;
  }

  async rehashPassword(username: string, expected: string, replacement: string): Promise<boolean> {
    const entry = this.#users.get(username);
    if (entry === undefined || entry.user.passwordHash !== expected) return false;
    entry.user = { ...entry.user, passwordHash: replacement };
    return true;
  }

  async changePassword(username: string, generation: number, passwordHash: string, keepJti: string | null): Promise<boolean> {
    const entry = this.#users.get(username);
    if (entry === undefined || entry.user.generation !== generation) return false;
    entry.user = { ...entry.user, passwordHash, generation: generation + 1 };
    endSessions(entry, keepJti);
    return true;
  }

  async deleteUser(username: string): Promise<boolean> {
    return this.#users.delete(username);
  }

  async createSession(session: Session, generation: number, maxSessions: number): Promise<boolean> {
    const entry = this.#users.get(session.username);
    if (entry === undefined || entry.user.generation !== generation) return false;
    prune(entry, session.issuedAt);
    entry.sessions.set(session.jti, { ...session });
    if (entry.sessions.size > maxSessions) {
      // The sessions closest to expiry (oldest first among equals), never the one just created.
      const byExpiry = [...entry.sessions.values()]
        .filter((s) => s.jti !== session.jti)
        .sort((a, b) => a.expiresAt - b.expiresAt || a.issuedAt - b.issuedAt);
      for (const old of byExpiry.slice(0, entry.sessions.size - maxSessions)) entry.sessions.delete(old.jti);
    }
    return true;
  }

  async authenticate(username: string, jti: string, now: number): Promise<Profile | null> {
    const entry = this.#users.get(username);
    const session = entry?.sessions.get(jti);
    if (entry === undefined || session === undefined || session.expiresAt <= now) return null;
    const { firstName, lastName } = entry.user;
    return { username, firstName, lastName };
  }

  async listSessions(username: string, now: number): Promise<Session[]> {
    const entry = this.#users.get(username);
    if (entry === undefined) return [];
    prune(entry, now);
    return [...entry.sessions.values()].sort((a, b) => a.issuedAt - b.issuedAt || a.jti.localeCompare(b.jti));
  }

  async revokeSession(username: string, jti: string, now: number): Promise<boolean> {
    const entry = this.#users.get(username);
    const session = entry?.sessions.get(jti);
    if (entry === undefined || session === undefined) return false;
    entry.sessions.delete(jti);
    return session.expiresAt > now;
  }

  async revokeSessions(username: string, keepJti: string | null, now: number): Promise<number> {
    const entry = this.#users.get(username);
    if (entry === undefined) return 0;
    prune(entry, now);
    return endSessions(entry, keepJti);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }
}

function prune(entry: Entry, now: number): void {
  for (const [jti, session] of entry.sessions) if (session.expiresAt <= now) entry.sessions.delete(jti);
}

function endSessions(entry: Entry, keepJti: string | null): number {
  let ended = 0;
  for (const jti of entry.sessions.keys()) {
    if (jti !== keepJti) {
      entry.sessions.delete(jti);
      ended += 1;
    }
  }
  return ended;
}
