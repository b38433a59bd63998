import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { connectRedis } from '../../src/store/redis-connection';
import { redisTarget } from '../../src/store/redis-target';
import { generateLocalKey } from '../../src/tokens/paserk';
import { dashboard, register, tokenFor } from '../helpers/gatehouse-client';
import { ROOT, startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';
import { startRedisCluster } from '../helpers/redis-cluster';
import { startRedisSentinel } from '../helpers/redis-sentinel';
import { describeWithRedisServer, startRedisServer, waitUntil, type ServerAccess } from '../helpers/redis-server';
import { makeTlsFiles, type TlsFiles } from '../helpers/tls-files';

/**
 * gatehouse reaches Redis over TLS only, as an ACL user (the default user is off), in each mode:
 * one server (rediss:// with the credentials in the URL, and a client certificate), Sentinel
 * (the Sentinel with its own password) and Cluster. Secrets never reach the log.
 */
describeWithRedisServer('Redis over TLS with an ACL user', () => {
  // Characters that must be percent-encoded in a URL, to prove the URL form decodes them.
  const user = 'gatehouse';
  const password = 'Tls+Acl/secret:1';
  // The README's ACL users, as written there but for the passwords and the key prefix
  // (REDIS_PREFIX tls:); the first test checks that the README still says exactly this.
  const readmeAcl = {
    gatehouse:
      'user gatehouse on >GATEHOUSE_PASSWORD ~gatehouse:* resetchannels -@all +@read +@write +@scripting +@connection -@dangerous +info +time +cluster|slots +cluster|info',
    replication: 'user replication on >REPLICATION_PASSWORD -@all +psync +replconf +ping',
    sentinel:
      'user sentinel on >SENTINEL_PASSWORD allchannels -@all +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill',
  };
  const aclUser = (line: string) => ['--user', ...line.replace(/^user /, '').split(' ')];
  const acl = [
    ...aclUser('default off'),
    // The tests' own user, to set the servers up (redis-cli --cluster create needs admin rights).
    ...aclUser('admin on >admin-secret ~* &* +@all'),
    ...aclUser(readmeAcl.gatehouse.replace('GATEHOUSE_PASSWORD', password).replace('~gatehouse:*', '~tls:*')),
  ];
  const replicationAcl = aclUser(readmeAcl.replication.replace('REPLICATION_PASSWORD', 'replication-secret'));
  const sentinelAcl = aclUser(readmeAcl.sentinel.replace('SENTINEL_PASSWORD', 'sentinel-user-secret'));
  let tls: TlsFiles;
  let access: ServerAccess;
  const running: { stop(): Promise<unknown> }[] = [];
  beforeAll(async () => {
    tls = await makeTlsFiles();
    access = { tls: { ca: tls.ca, cert: tls.cert, key: tls.key }, auth: { user: 'admin', password: 'admin-secret' } };
  });
  afterEach(async () => {
    // Gatehouse processes first, then the Redis they use.
    for (const thing of running.splice(0).reverse()) await thing.stop();
  });
  afterAll(() => tls?.remove());

  const start = async (env: Record<string, string>) => {
    const gatehouse = await startGatehouse({ STORE: 'redis', TOKEN_KEYS: generateLocalKey(), REDIS_PREFIX: 'tls:', ...env });
    running.push(gatehouse);
    return gatehouse;
  };
  const servesUsers = async (gatehouse: GatehouseProcess) => {
    // Ready; without CONFIG GET the user cannot let gatehouse verify the durability settings,
    // which readiness reports as a warning (REDIS_DURABILITY=warn, the default).
    const ready = await fetch(`${gatehouse.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.stringify(await ready.json())).toContain('could not verify that Redis keeps acknowledged writes: CONFIG GET is not allowed (NOPERM');
    expect((await register(gatehouse.url, 'tess', 'a tls password')).status).toBe(201);
    const token = await tokenFor(gatehouse.url, 'tess', 'a tls password');
    expect((await dashboard(gatehouse.url, token)).status).toBe(200);
    expect(gatehouse.output()).not.toContain(password);
    expect(gatehouse.output()).not.toContain(encodeURIComponent(password));
    return token;
  };
  // The first connection error a client for `env` meets (in this process: no 5 s start-up wait).
  const firstError = (env: Record<string, string>) =>
    new Promise<string>((resolve) => {
      const redis = connectRedis(redisTarget(loadConfig({ env: { STORE: 'redis', TOKEN_KEYS: generateLocalKey(), ...env } })));
      const done = (err: Error) => {
        redis.disconnect();
        resolve(err.message);
      };
      redis.once('error', done);
      redis.once('node error', done);
    });
  const refusesToServe = async (gatehouse: GatehouseProcess) => {
    const ready = await fetch(`${gatehouse.url}/readyz`);
    expect(ready.status).toBe(503);
    expect((await register(gatehouse.url, 'tess', 'a tls password')).status).toBe(503);
  };

  test('the README gives these ACL users', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const line of Object.values(readmeAcl)) expect(readme).toContain(`\n${line}\n`);
  });

  test('one server: rediss:// with the ACL user in the URL, the CA and a client certificate', async () => {
    // The server requires a client certificate (tls-auth-clients yes).
    const server = await startRedisServer([...acl, '--tls-auth-clients', 'yes'], undefined, access);
    running.push(server);
    const url = `rediss://${user}:${encodeURIComponent(password)}@127.0.0.1:${server.port}`;
    const tlsFiles = { REDIS_TLS_CA: tls.ca, REDIS_TLS_CERT: tls.cert, REDIS_TLS_KEY: tls.key };

    const gatehouse = await start({ REDIS_URL: url, ...tlsFiles });
    await servesUsers(gatehouse);
    expect(gatehouse.output()).toContain(`connecting to rediss://${user}:***@127.0.0.1:${server.port}`);
    expect(await server.cli('exists', 'tls:{tess}:user')).toBe('1\n');

    // A wrong password: nothing served, and the log says why without the secret.
    const wrong = await start({ REDIS_URL: `rediss://${user}:wrong-password@127.0.0.1:${server.port}`, ...tlsFiles });
    await refusesToServe(wrong);
    expect(wrong.output()).toMatch(/WRONGPASS/);
    expect(wrong.output()).not.toContain('wrong-password');
    // No client certificate (TLS 1.3: the server resets the connection after the handshake), or
    // no trust in the server's CA: no connection.
    expect(await firstError({ REDIS_URL: url, REDIS_TLS_CA: tls.ca })).toMatch(/ECONNRESET|certificate required/);
    expect(await firstError({ REDIS_URL: url, REDIS_TLS_CERT: tls.cert, REDIS_TLS_KEY: tls.key })).toMatch(
      /self.signed certificate|unable to verify|UNABLE_TO_GET_ISSUER/i,
    );
  }, 60_000);

  test('Sentinel: REDIS_TLS for the master and the Sentinel, an ACL user for the data, a password for the Sentinel', async () => {
    const sentinelPassword = 'sentinel+secret';
    const setup = await startRedisSentinel({
      ...access,
      serverArgs: [...acl, ...replicationAcl, ...sentinelAcl, '--masteruser', 'replication', '--masterauth', 'replication-secret'],
      sentinelConfig: [
        'sentinel auth-user gatehouse-test sentinel',
        'sentinel auth-pass gatehouse-test sentinel-user-secret',
        `requirepass ${sentinelPassword}`,
      ],
      sentinelAuth: { user: 'default', password: sentinelPassword },
    });
    running.push(setup);
    const env = {
      ...setup.env,
      REDIS_USERNAME: user,
      REDIS_PASSWORD: password,
      REDIS_TLS: 'true',
      REDIS_TLS_CA: tls.ca,
    };
    const gatehouse = await start({ ...env, REDIS_SENTINEL_PASSWORD: sentinelPassword });
    const token = await servesUsers(gatehouse);
    expect(gatehouse.output()).not.toContain(sentinelPassword);
    // The Sentinel's ACL user is enough for a failover, and gatehouse follows it over TLS.
    await waitUntil('the replica to have the session', 5000, async () => (await setup.servers[1]!.cli('exists', 'tls:{tess}:sessions')) === '1\n');
    await setup.servers[0]!.stop();
    await waitUntil('gatehouse to serve from the promoted replica', 30_000, async () => (await dashboard(gatehouse.url, token)).status === 200);
    expect(await setup.currentMaster()).toBe(setup.servers[1]);
    expect(gatehouse.output()).toContain(`connecting to Sentinel master ${setup.name} via ${setup.sentinelNodes} over TLS as ${user}`);
    // Without the Sentinel's password, it cannot learn where the master is.
    expect(await firstError(env)).toMatch(/All sentinels are unreachable.*NOAUTH/);
  }, 60_000);

  test('Cluster: REDIS_TLS and the ACL user for every node', async () => {
    const cluster = await startRedisCluster({ masters: 3, ...access, args: acl });
    running.push(cluster);
    const env = { REDIS_CLUSTER_NODES: cluster.nodes, REDIS_USERNAME: user, REDIS_TLS: 'true', REDIS_TLS_CA: tls.ca };
    await servesUsers(await start({ ...env, REDIS_PASSWORD: password }));
    expect(await firstError({ ...env, REDIS_PASSWORD: 'not-the-password' })).toMatch(/WRONGPASS/);
  }, 60_000);
});
