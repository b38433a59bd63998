import { generateLocalKey } from '../../src/tokens/paserk';
import { bearer, dashboard, register, tokenFor } from '../helpers/gatehouse-client';
import { startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';
import { uniquePrefix } from '../helpers/redis';
import { describeWithRedisServer, waitUntil } from '../helpers/redis-server';
import { startRedisSentinel, type RedisSentinelSetup } from '../helpers/redis-sentinel';

/**
 * What the README says about failovers, shown: Redis replicates asynchronously, so a write the
 * master acknowledged but had not yet sent to the replica is lost when the replica takes over.
 * For gatehouse the write that matters is a revocation: a logout "undone" brings its token back.
 * To make the window wide enough to hit, the test cuts the replica off first (its link is killed
 * and it cannot log in again), as a network partition or a slow replica would.
 */
describeWithRedisServer('what a Sentinel failover can lose', () => {
  const password = 'write loss password';
  let setup: RedisSentinelSetup | undefined;
  let gatehouse: GatehouseProcess | undefined;
  afterEach(async () => {
    await gatehouse?.stop();
    await setup?.stop();
  });

  /** A Sentinel setup, a gatehouse on it, and a logged-in user whose session has reached the replica. */
  const serving = async () => {
    setup = await startRedisSentinel({ replicas: 1, sentinels: 1 });
    const prefix = uniquePrefix('loss');
    gatehouse = await startGatehouse({
      STORE: 'redis',
      ...setup.env,
      REDIS_PREFIX: prefix,
      TOKEN_KEYS: generateLocalKey(),
    });
    expect((await register(gatehouse.url, 'lola', password)).status).toBe(201);
    const token = await tokenFor(gatehouse.url, 'lola', password);
    const [master, replica] = setup.servers as [(typeof setup.servers)[0], (typeof setup.servers)[0]];
    const sessionsKey = `${prefix}{lola}:sessions`;
    await waitUntil('the session to reach the replica', 5000, async () => (await replica.cli('zcard', sessionsKey)) === '1\n');
    return { url: gatehouse.url, token, master, replica, sessionsKey };
  };

  /** Kills the replica's link and keeps it from coming back (gatehouse's connection stays). */
  const cutOffReplica = async (master: RedisSentinelSetup['servers'][0]) => {
    await master.cli('config', 'set', 'requirepass', 'cut-off');
    await master.cli('-a', 'cut-off', '--no-auth-warning', 'client', 'kill', 'type', 'replica');
  };

  const failOver = async (url: string, token: string) => {
    await setup!.servers[0]!.stop();
    await waitUntil('the replica to be promoted and gatehouse to follow', 30_000, async () => {
      const status = await dashboard(url, token, 2000).then((r) => r.status, () => 0);
      return status !== 503 && status !== 0;
    });
    expect(await setup!.currentMaster()).toBe(setup!.servers[1]);
  };

  test('a logout the master acknowledged but had not replicated is undone by a failover: the token works again', async () => {
    const { url, token, master, replica, sessionsKey } = await serving();
    await cutOffReplica(master);

    const logout = await fetch(`${url}/logout/`, { method: 'POST', headers: bearer(token) });
    expect(logout.status).toBe(200);
    expect((await dashboard(url, token)).status).toBe(401);
    // The replica never heard of it.
    expect(await replica.cli('zcard', sessionsKey)).toBe('1\n');

    await failOver(url, token);
    // The revoked token is live again (until it expires, at most TOKEN_TTL after its login).
    expect((await dashboard(url, token)).status).toBe(200);
  }, 60_000);

  test('with min-replicas-to-write 1 that logout is refused with 503 instead, and the token honestly still works', async () => {
    const { url, token, master } = await serving();
    // On the master only: the promoted replica will have no replica of its own to wait for.
    await master.cli('config', 'set', 'min-replicas-to-write', '1', 'min-replicas-max-lag', '10');
    await cutOffReplica(master);

    // No replica is listening: the master refuses the write, so nothing is acknowledged.
    const logout = await fetch(`${url}/logout/`, { method: 'POST', headers: bearer(token) });
    expect(logout.status).toBe(503);
    expect(logout.headers.get('retry-after')).not.toBeNull();
    // Reads still work: the token is live, as the 503 implied.
    expect((await dashboard(url, token)).status).toBe(200);

    await failOver(url, token);
    expect((await dashboard(url, token)).status).toBe(200);
    // The client's retry of the logout, now on the new master, succeeds and sticks.
    expect((await fetch(`${url}/logout/`, { method: 'POST', headers: bearer(token) })).status).toBe(200);
    expect((await dashboard(url, token)).status).toBe(401);
  }, 60_000);
});
