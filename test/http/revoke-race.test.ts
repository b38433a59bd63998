import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basic, createTestApp, registerAndLogin, storeKinds, type TestApp } from '../helpers/app';

const OLD = 'correct horse battery';
const NEW = 'a brand new passphrase';

/**
 * "Revoke all" racing logins of the same user, over real sockets. The assertions follow from
 * the order of events the test itself observes, so they cannot flake: a login whose response
 * arrived before the revoke was sent made its session before the revoke ran (so it must be
 * dead); a login sent after the revoke answered made its session afterwards (so it must live);
 * for the ones in between, the revoke's count must be exactly the sessions it killed.
 */
describe.each(storeKinds)('revoke-all cannot miss a token issued at the same moment (%s store)', (kind) => {
  let t: TestApp;
  let server: Server;
  let base: string;
  let current: string;
  beforeEach(async () => {
    // Up to 22 logins of one account are in flight at once here: the failed-login throttle
    // counts attempts while they run, so it is raised out of the way.
    t = await createTestApp(kind, { LOGIN_FAILURES_PER_ACCOUNT: '1000', LOGIN_FAILURES_PER_ADDRESS: '1000' });
    current = await registerAndLogin(t);
    server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });

  const login = async (password = OLD): Promise<string | null> => {
    let res = await fetch(`${base}/login/`, { method: 'POST', headers: { Authorization: basic('alice', password) } });
    // A busy machine can make a write miss its deadline (503): that login made no session; ask again.
    for (let retry = 0; res.status === 503 && retry < 5; retry += 1) {
      await res.body?.cancel();
      res = await fetch(`${base}/login/`, { method: 'POST', headers: { Authorization: basic('alice', password) } });
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      return null;
    }
    return ((await res.json()) as { data: { auth_token: string } }).data.auth_token;
  };
  const live = async (token: string) => {
    const res = await fetch(`${base}/auth/verify`, { headers: { Authorization: `Bearer ${token}` } });
    return res.status === 200;
  };
  const issued = (tokens: (string | null)[]) => tokens.filter((x): x is string => x !== null);

  test.each([
    ['DELETE /sessions/', 'DELETE', '/sessions/', false],
    ['POST /logout/?scope=global', 'POST', '/logout/?scope=global', true],
  ])('%s racing logins', async (_, method, path, endsCurrent) => {
    const before = issued(await Promise.all(Array.from({ length: 6 }, () => login())));
    expect(before).toHaveLength(6);

    const during = Array.from({ length: 12 }, () => login());
    const revoke = await fetch(`${base}${path}`, { method, headers: { Authorization: `Bearer ${current}` } });
    expect(revoke.status).toBe(200);
    const { revoked } = ((await revoke.json()) as { data: { revoked: number } }).data;
    const after = issued(await Promise.all(Array.from({ length: 4 }, () => login())));
    const raced = issued(await Promise.all(during));
    expect(raced).toHaveLength(12);
    expect(after).toHaveLength(4);

    for (const token of before) expect(await live(token)).toBe(false);
    for (const token of after) expect(await live(token)).toBe(true);
    expect(await live(current)).toBe(!endsCurrent);
    // Every session alive at the revoke was counted and is dead; every raced one that lives was made after it.
    const racedDead = (await Promise.all(raced.map(live))).filter((alive) => !alive).length;
    expect(revoked).toBe(before.length + racedDead + (endsCurrent ? 1 : 0));
    const remaining = await t.store.listSessions('alice', t.clock.now);
    expect(remaining).toHaveLength(after.length + (raced.length - racedDead) + (endsCurrent ? 0 : 1));
  });

  test('PUT /password/ racing logins with the old password: no token issued under it survives', async () => {
    const before = issued(await Promise.all(Array.from({ length: 4 }, () => login())));
    const during = Array.from({ length: 16 }, () => login());
    const change = await fetch(`${base}/password/`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${current}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ current_password: OLD, new_password: NEW }),
    });
    expect(change.status).toBe(200);
    const late = issued(await Promise.all(Array.from({ length: 4 }, () => login())));
    const raced = issued(await Promise.all(during));

    expect(before).toHaveLength(4);
    expect(late).toEqual([]); // the old password no longer logs in
    // A login that checked the old password either made its session before the change (which
    // ended it) or was refused a session by the generation check.
    for (const token of [...before, ...raced]) expect(await live(token)).toBe(false);
    expect(await live(current)).toBe(true);
    const fresh = await login(NEW);
    expect(fresh).not.toBeNull();
    expect(await live(fresh!)).toBe(true);
    expect((await t.store.listSessions('alice', t.clock.now)).map((s) => s.jti).sort()).toEqual(
      (await Promise.all([current, fresh!].map(async (x) => (await t.deps.tokens.verify(x, new Date(t.clock.now))).jti))).sort(),
    );
  });

  test('DELETE /account/ racing logins: no token survives, and no session is left behind', async () => {
    const during = Array.from({ length: 12 }, () => login());
    const res = await fetch(`${base}/account/`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${current}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ password: OLD }),
    });
    expect(res.status).toBe(200);
    const raced = issued(await Promise.all(during));
    for (const token of [current, ...raced]) expect(await live(token)).toBe(false);
    expect(await t.store.findUser('alice')).toBeNull();
    expect(await t.store.listSessions('alice', t.clock.now)).toEqual([]);
  });
});
