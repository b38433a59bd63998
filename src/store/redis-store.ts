import { ReplyError, type Cluster, type Redis } from 'ioredis';
import { freshGeneration, StoreUnavailableError, type NewUser, type Profile, type Session, type Store, type User } from './store';
import { scripts, type ScriptName } from './redis-scripts';

export type RedisClient = Redis | Cluster;

/** A session as stored in the `<prefix>{user}:session` hash (JSON, one field per jti). */
interface SessionRecord {
  issued_at: number;
  expires_at: number;
  user_agent: string | null;
  address: string | null;
  /** The user's names, copied from the user record when the session is created. */
  first_name?: string | null;
  last_name?: string | null;
}

export interface RedisStoreOptions {
  /**
   * Milliseconds after a write is sent within which Redis may still carry it out (its
   * deadline; see redis-scripts.ts). Default: half the client's command timeout, so the clocks
   * of gatehouse and Redis may differ by up to that much either way: a Redis clock that is
   * behind by less than it still refuses every write that arrives after the client gave up, and
   * one that is ahead by less than it still accepts writes that arrive in time.
   */
  writeBudgetMs?: number;
  /** The wall clock the deadlines are taken from, in ms since the epoch (real time, as Redis's). */
  now?: () => number;
}

/** Half the command timeout of `redis`; without a command timeout nothing is answered late. */
export function defaultWriteBudget(redis: RedisClient): number {
  const options = redis.options as { commandTimeout?: number; redisOptions?: { commandTimeout?: number } };
  const timeout = options.commandTimeout ?? options.redisOptions?.commandTimeout;
  return timeout === undefined ? 24 * 3600 * 1000 : timeout / 2;
}

type ScriptArg = string | number;

/** The suffix of a user's session-record hash, `<prefix>{user}:session`. */
const SESSION_RECORDS = ':session';
type Scripted = { [name in ScriptName]: (...args: ScriptArg[]) => Promise<unknown> };

/**
 * The Store on Redis. Each user's keys share a Cluster hash tag, `{username}`, so every script
 * touches one slot:
 *   <prefix>{alice}:user       hash   hash, first_name, last_name, created_at, generation
 *   <prefix>{alice}:sessions   zset   jti -> expires_at (ms)
 *   <prefix>{alice}:session    hash   jti -> JSON {issued_at, expires_at, user_agent, address}
 * Every read-modify-write is one Lua script (redis-scripts.ts), so it runs atomically on the
 * server; nothing is read in Node and then written. The two session keys expire with the last
 * session, and expired entries are dropped by every session write, so nothing grows unbounded.
 * Every write carries a deadline (RedisStoreOptions.writeBudgetMs) past which Redis refuses it.
 */
export class RedisStore implements Store {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #run: Scripted;
  readonly #budget: number;
  readonly #now: () => number;

  constructor(redis: RedisClient, prefix: string, { writeBudgetMs, now = Date.now }: RedisStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#budget = writeBudgetMs ?? defaultWriteBudget(redis);
    this.#now = now;
    for (const [name, script] of Object.entries(scripts)) {
      if (!(name in redis)) redis.defineCommand(name, script);
    }
    this.#run = redis as unknown as Scripted;
  }

  #keys(username: string) {
    const base = `${this.#prefix}{${username}}`;
    return [`${base}:user`, `${base}:sessions`, `${base}${SESSION_RECORDS}`] as const;
  }

  /** The deadline of a write sent now, in ms since the epoch. */
  #deadline(): number {
    return Math.floor(this.#now() + this.#budget);
  }

  async #call<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      // A key of the wrong type is corrupt data, not an outage: a retry would not help. (No
      // cause: the reply error carries the command's arguments, password hashes included.)
      if (err instanceof ReplyError && (err as Error).message.startsWith('WRONGTYPE')) {
        throw new Error(`redis ${what} failed: ${(err as Error).message}`);
      }
      throw new StoreUnavailableError(`redis ${what} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async createUser(user: NewUser): Promise<boolean> {
    const fields: ScriptArg[] = ['hash', user.passwordHash, 'created_at', user.createdAt, 'generation', freshGeneration()];
    if (user.firstName !== null) fields.push('first_name', user.firstName);
    if (user.lastName !== null) fields.push('last_name', user.lastName);
    const keys = this.#keys(user.username);
    return (await this.#call('createUser', () => this.#run.ghCreateUser(...keys, this.#deadline(), ...fields))) === 1;
  }

  async findUser(username: string): Promise<User | null> {
    const [userKey] = this.#keys(username);
    const h = await this.#call('findUser', () => this.#redis.hgetall(userKey));
    if (h.hash === undefined || h.generation === undefined) return null;
    return {
      username,
      passwordHash: h.hash,
      firstName: h.first_name ?? null,
      lastName: h.last_name ?? null,
      createdAt: Number(h.created_at),
      generation: Number(h.generation),
    };
  }

  async rehashPassword(username: string, expected: string, replacement: string): Promise<boolean> {
    const [userKey] = this.#keys(username);
    return (await this.#call('rehashPassword', () => this.#run.ghRehash(userKey, this.#deadline(), expected, replacement))) === 1;
  }

  async changePassword(username: string, generation: number, passwordHash: string, keepJti: string | null): Promise<boolean> {
    const keys = this.#keys(username);
    const result = await this.#call('changePassword', () =>
      this.#run.ghChangePassword(...keys, this.#deadline(), generation, passwordHash, keepJti ?? ''),
    );
    return result === 1;
  }

  async deleteUser(username: string): Promise<boolean> {
    const keys = this.#keys(username);
    return (await this.#call('deleteUser', () => this.#run.ghDeleteUser(...keys, this.#deadline()))) === 1;
  }

  async createSession(session: Session, generation: number, maxSessions: number): Promise<boolean> {
    const keys = this.#keys(session.username);
    const data = JSON.stringify({
      issued_at: session.issuedAt,
      expires_at: session.expiresAt,
      user_agent: session.userAgent,
      address: session.address,
    });
    const result = await this.#call('createSession', () =>
      this.#run.ghCreateSession(...keys, this.#deadline(), generation, session.jti, session.expiresAt, data, maxSessions, session.issuedAt),
    );
    return result === 1;
  }

  async authenticate(username: string, jti: string, now: number): Promise<Profile | null> {
    // The hot path: one HGET, no script. The session record holds its expiry and the user's
    // names (copied in by ghCreateSession); every script that ends sessions or deletes the
    // user removes records in the same step, so a record that exists and has not expired is live.
    // Only the one key (#keys makes all three): this runs on every authenticated request.
    const sessionKey = `${this.#prefix}{${username}}${SESSION_RECORDS}`;
    const raw = await this.#call('authenticate', () => this.#redis.hget(sessionKey, jti));
    if (raw === null) return null;
    const record = JSON.parse(raw) as SessionRecord;
    if (!(record.expires_at > now)) return null;
    return { username, firstName: record.first_name ?? null, lastName: record.last_name ?? null };
  }

  async listSessions(username: string, now: number): Promise<Session[]> {
    const [, sessionsKey, sessionKey] = this.#keys(username);
    const flat = (await this.#call('listSessions', () => this.#run.ghListSessions(sessionsKey, sessionKey, now))) as (
      | string
      | null
    )[];
    const sessions: Session[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const jti = flat[i]!;
      const raw = flat[i + 1];
      if (!raw) continue; // index entry without data: treated as ended
      const data = JSON.parse(raw) as SessionRecord;
      sessions.push({
        jti,
        username,
        issuedAt: data.issued_at,
        expiresAt: data.expires_at,
        userAgent: data.user_agent,
        address: data.address,
      });
    }
    return sessions.sort((a, b) => a.issuedAt - b.issuedAt || a.jti.localeCompare(b.jti));
  }

  async revokeSession(username: string, jti: string, now: number): Promise<boolean> {
    const [, sessionsKey, sessionKey] = this.#keys(username);
    return (await this.#call('revokeSession', () => this.#run.ghRevokeSession(sessionsKey, sessionKey, this.#deadline(), jti, now))) === 1;
  }

  async revokeSessions(username: string, keepJti: string | null, now: number): Promise<number> {
    const [, sessionsKey, sessionKey] = this.#keys(username);
    const ended = await this.#call('revokeSessions', () =>
      this.#run.ghRevokeSessions(sessionsKey, sessionKey, this.#deadline(), keepJti ?? '', now),
    );
    return Number(ended);
  }

  async ping(): Promise<void> {
    await this.#call('ping', () => this.#redis.ping());
  }

  async close(): Promise<void> {
    try {
      await this.#redis.quit();
    } catch {
      this.#redis.disconnect();
    }
  }
}
