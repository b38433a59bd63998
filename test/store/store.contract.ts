import { randomBytes } from 'node:crypto';
import type { NewUser, Session, Store } from '../../src/store/store';

/** How a contract run gets a fresh, empty store and disposes of it. */
export interface StoreFactory {
  create(): Promise<Store>;
  destroy(store: Store): Promise<void>;
}

const HOUR = 3_600_000;
// A fixed "now" close to real time: Redis expires keys by its own clock.
const T0 = Math.floor(Date.now() / 1000) * 1000;

let counter = 0;
const name = () => `user${++counter}.${randomBytes(3).toString('hex')}`;
const jti = () => randomBytes(16).toString('base64url');
const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA';

function newUser(username = name(), extra: Partial<NewUser> = {}): NewUser {
  return { username, passwordHash: HASH, firstName: 'Ada', lastName: 'Lovelace', createdAt: T0, ...extra };
}

function session(username: string, extra: Partial<Session> = {}): Session {
  return {
    jti: jti(),
    username,
    issuedAt: T0,
    expiresAt: T0 + HOUR,
    userAgent: 'curl/8.0',
    address: '127.0.0.1',
    ...extra,
  };
}

/**
 * The Store contract, run unchanged against every implementation. Each test states one
 * promise of store.ts and checks the store's state afterwards, not only the return value.
 */
export function storeContract(label: string, factory: StoreFactory): void {
  describe(`Store contract: ${label}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    /** The user's current generation; -1 for an unknown user (never a real one). */
    const generationOf = async (username: string) => (await store.findUser(username))?.generation ?? -1;
    afterEach(async () => {
      await factory.destroy(store);
    });

    describe('users', () => {
      test('createUser stores a new user with a random generation and findUser returns it', async () => {
        const user = newUser();
        await expect(store.createUser(user)).resolves.toBe(true);
        const found = await store.findUser(user.username);
        expect(found).toEqual({ ...user, generation: expect.any(Number) });
        expect(Number.isSafeInteger(found!.generation) && found!.generation > 0).toBe(true);
        const other = newUser();
        await store.createUser(other);
        expect(await generationOf(other.username)).not.toBe(found!.generation);
      });

      test('createUser keeps null names as null', async () => {
        const user = newUser(name(), { firstName: null, lastName: null });
        await store.createUser(user);
        const found = await store.findUser(user.username);
        expect(found?.firstName).toBeNull();
        expect(found?.lastName).toBeNull();
      });

      test('createUser of a taken username returns false and leaves the first user as it was', async () => {
        const user = newUser();
        await store.createUser(user);
        const before = await store.findUser(user.username);
        await expect(store.createUser({ ...user, passwordHash: `${HASH}x`, firstName: 'Eve' })).resolves.toBe(false);
        await expect(store.findUser(user.username)).resolves.toEqual(before);
      });

      test('50 concurrent createUser calls for one username create it exactly once', async () => {
        const username = name();
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.createUser(newUser(username, { firstName: `n${i}` }))),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        await expect(store.findUser(username)).resolves.toMatchObject({ firstName: `n${winner}` });
      });

      test('findUser of an unknown username returns null', async () => {
        await expect(store.findUser(name())).resolves.toBeNull();
      });

      test('rehashPassword replaces the hash only while it is still the expected one', async () => {
        const user = newUser();
        await store.createUser(user);
        const s = session(user.username);
        const generation = await generationOf(user.username);
        await store.createSession(s, generation, 10);
        await expect(store.rehashPassword(user.username, `${HASH}-other`, 'new')).resolves.toBe(false);
        await expect(store.rehashPassword(user.username, HASH, `${HASH}-new`)).resolves.toBe(true);
        const found = await store.findUser(user.username);
        // A rehash keeps the generation.
        expect(found).toMatchObject({ passwordHash: `${HASH}-new`, generation });
        // A rehash is not a password change: the session lives on.
        await expect(store.authenticate(user.username, s.jti, T0)).resolves.not.toBeNull();
      });

      test('rehashPassword of an unknown user returns false and creates nothing', async () => {
        const username = name();
        await expect(store.rehashPassword(username, HASH, 'x')).resolves.toBe(false);
        await expect(store.findUser(username)).resolves.toBeNull();
      });

      test('changePassword sets the hash, bumps the generation and ends all sessions but the kept one', async () => {
        const user = newUser();
        await store.createUser(user);
        const keep = session(user.username);
        const other = session(user.username);
        const generation = await generationOf(user.username);
        await store.createSession(keep, generation, 10);
        await store.createSession(other, generation, 10);
        await expect(store.changePassword(user.username, generation, `${HASH}-2`, keep.jti)).resolves.toBe(true);
        await expect(store.findUser(user.username)).resolves.toMatchObject({ passwordHash: `${HASH}-2`, generation: generation + 1 });
        await expect(store.authenticate(user.username, keep.jti, T0)).resolves.not.toBeNull();
        await expect(store.authenticate(user.username, other.jti, T0)).resolves.toBeNull();
        expect((await store.listSessions(user.username, T0)).map((s) => s.jti)).toEqual([keep.jti]);
      });

      test('changePassword with keepJti null ends every session', async () => {
        const user = newUser();
        await store.createUser(user);
        const s = session(user.username);
        const generation = await generationOf(user.username);
        await store.createSession(s, generation, 10);
        await expect(store.changePassword(user.username, generation, `${HASH}-2`, null)).resolves.toBe(true);
        await expect(store.listSessions(user.username, T0)).resolves.toEqual([]);
      });

      test('changePassword refuses a stale generation and changes nothing', async () => {
        const user = newUser();
        await store.createUser(user);
        const generation = await generationOf(user.username);
        await store.changePassword(user.username, generation, `${HASH}-2`, null);
        await expect(store.changePassword(user.username, generation, `${HASH}-3`, null)).resolves.toBe(false);
        await expect(store.findUser(user.username)).resolves.toMatchObject({ passwordHash: `${HASH}-2`, generation: generation + 1 });
      });

      test('changePassword of an unknown user returns false and creates nothing', async () => {
        const username = name();
        await expect(store.changePassword(username, 1, HASH, null)).resolves.toBe(false);
        await expect(store.findUser(username)).resolves.toBeNull();
      });

      test('deleteUser removes the user and all its sessions; the name can be registered again', async () => {
        const user = newUser();
        await store.createUser(user);
        const s = session(user.username);
        const generation = await generationOf(user.username);
        await store.createSession(s, generation, 10);
        await expect(store.deleteUser(user.username)).resolves.toBe(true);
        await expect(store.findUser(user.username)).resolves.toBeNull();
        await expect(store.authenticate(user.username, s.jti, T0)).resolves.toBeNull();
        await expect(store.deleteUser(user.username)).resolves.toBe(false);

        await expect(store.createUser(newUser(user.username, { firstName: 'New' }))).resolves.toBe(true);
        await expect(store.authenticate(user.username, s.jti, T0)).resolves.toBeNull();
        await expect(store.listSessions(user.username, T0)).resolves.toEqual([]);
        // A login that checked the deleted account's password cannot open a session on the new one.
        expect(await generationOf(user.username)).not.toBe(generation);
        await expect(store.createSession(session(user.username), generation, 10)).resolves.toBe(false);
      });
    });

    describe('sessions', () => {
      let username: string;
      let generation: number;
      beforeEach(async () => {
        username = name();
        await store.createUser(newUser(username));
        generation = await generationOf(username);
      });

      test('createSession records a session that authenticate finds with the profile', async () => {
        const s = session(username);
        await expect(store.createSession(s, generation, 10)).resolves.toBe(true);
        await expect(store.authenticate(username, s.jti, T0)).resolves.toEqual({
          username,
          firstName: 'Ada',
          lastName: 'Lovelace',
        });
        await expect(store.listSessions(username, T0)).resolves.toEqual([s]);
      });

      test('createSession for an unknown user returns false and records nothing', async () => {
        const other = name();
        const s = session(other);
        await expect(store.createSession(s, generation, 10)).resolves.toBe(false);
        await expect(store.authenticate(other, s.jti, T0)).resolves.toBeNull();
        await expect(store.listSessions(other, T0)).resolves.toEqual([]);
      });

      test('createSession with a stale generation returns false (the password changed meanwhile)', async () => {
        await store.changePassword(username, generation, `${HASH}-2`, null);
        const s = session(username);
        await expect(store.createSession(s, generation, 10)).resolves.toBe(false);
        await expect(store.authenticate(username, s.jti, T0)).resolves.toBeNull();
        await expect(store.createSession(s, generation + 1, 10)).resolves.toBe(true);
      });

      test('a session is live until its expiry and not at or after it', async () => {
        const s = session(username);
        await store.createSession(s, generation, 10);
        await expect(store.authenticate(username, s.jti, s.expiresAt - 1)).resolves.not.toBeNull();
        await expect(store.authenticate(username, s.jti, s.expiresAt)).resolves.toBeNull();
        await expect(store.listSessions(username, s.expiresAt)).resolves.toEqual([]);
      });

      test('authenticate does not find an unknown jti or another user’s session', async () => {
        const s = session(username);
        await store.createSession(s, generation, 10);
        const other = name();
        await store.createUser(newUser(other));
        await expect(store.authenticate(username, jti(), T0)).resolves.toBeNull();
        await expect(store.authenticate(other, s.jti, T0)).resolves.toBeNull();
      });

      test('listSessions returns live sessions oldest first, with their details', async () => {
        const a = session(username, { issuedAt: T0 + 2000, expiresAt: T0 + 2000 + HOUR, userAgent: null, address: null });
        const b = session(username, { issuedAt: T0, expiresAt: T0 + HOUR, userAgent: 'Mozilla/5.0 ✓', address: '::1' });
        const dead = session(username, { issuedAt: T0 - 2 * HOUR, expiresAt: T0 - HOUR });
        for (const s of [a, b, dead]) await store.createSession(s, generation, 10);
        await expect(store.listSessions(username, T0)).resolves.toEqual([b, a]);
      });

      test('beyond maxSessions the sessions closest to expiry are ended', async () => {
        const sessions = [3, 1, 4, 2].map((i) => session(username, { issuedAt: T0 + i * 1000, expiresAt: T0 + HOUR + i * 1000 }));
        for (const s of sessions) await store.createSession(s, generation, 3);
        const live = (await store.listSessions(username, T0)).map((s) => s.issuedAt);
        expect(live).toEqual([T0 + 2000, T0 + 3000, T0 + 4000]);
        await expect(store.authenticate(username, sessions[1]!.jti, T0)).resolves.toBeNull();
      });

      test('the cap never ends the session being created, even when expiries tie', async () => {
        // Logins in the same second get the same expiry; the newest must survive the cap.
        for (let i = 0; i < 8; i += 1) {
          const s = session(username, { issuedAt: T0 + i, expiresAt: T0 + HOUR });
          await expect(store.createSession(s, generation, 1)).resolves.toBe(true);
          await expect(store.authenticate(username, s.jti, T0)).resolves.not.toBeNull();
          expect((await store.listSessions(username, T0)).map((x) => x.jti)).toEqual([s.jti]);
        }
      });

      test('revokeSession ends one session at once and leaves the others', async () => {
        const a = session(username);
        const b = session(username);
        await store.createSession(a, generation, 10);
        await store.createSession(b, generation, 10);
        await expect(store.revokeSession(username, a.jti, T0)).resolves.toBe(true);
        await expect(store.authenticate(username, a.jti, T0)).resolves.toBeNull();
        await expect(store.authenticate(username, b.jti, T0)).resolves.not.toBeNull();
        await expect(store.revokeSession(username, a.jti, T0)).resolves.toBe(false);
      });

      test('revokeSession of an unknown or expired session returns false', async () => {
        const s = session(username);
        await store.createSession(s, generation, 10);
        await expect(store.revokeSession(username, jti(), T0)).resolves.toBe(false);
        await expect(store.revokeSession(username, s.jti, s.expiresAt)).resolves.toBe(false);
      });

      test('revokeSessions ends all sessions but the kept one and counts the live ones ended', async () => {
        const keep = session(username);
        const others = [session(username), session(username)];
        const dead = session(username, { issuedAt: T0 - 2 * HOUR, expiresAt: T0 - HOUR });
        for (const s of [keep, ...others, dead]) await store.createSession(s, generation, 10);
        await expect(store.revokeSessions(username, keep.jti, T0)).resolves.toBe(2);
        expect((await store.listSessions(username, T0)).map((s) => s.jti)).toEqual([keep.jti]);
        await expect(store.revokeSessions(username, null, T0)).resolves.toBe(1);
        await expect(store.authenticate(username, keep.jti, T0)).resolves.toBeNull();
      });

      test('a session created concurrently with revokeSessions is either ended or created after it', async () => {
        // "Revoke all" cannot miss a session: each one is recorded atomically, before or after.
        for (let round = 0; round < 20; round += 1) {
          const before = session(username);
          await store.createSession(before, generation, 100);
          const racing = session(username);
          const [, ended] = await Promise.all([store.createSession(racing, generation, 100), store.revokeSessions(username, null, T0)]);
          const live = (await store.listSessions(username, T0)).map((s) => s.jti);
          await expect(store.authenticate(username, before.jti, T0)).resolves.toBeNull();
          // Either revokeSessions saw it (and ended it) or it was created afterwards (and is live).
          expect(live.includes(racing.jti)).toBe(ended === 1);
          await store.revokeSessions(username, null, T0);
        }
      });
    });

    test('ping resolves', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
