import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { verify } from '@node-rs/argon2';
import { RedisStore } from '../../src/store/redis-store';
import { generateLocalKey } from '../../src/tokens/paserk';
import { launchers, runGatehouse, startGatehouse } from '../helpers/gatehouse-process';
import { deleteKeysUnder, keysUnder, redisUrl, testRedisClient, uniquePrefix } from '../helpers/redis';
import { freePort } from '../helpers/redis-server';
import { makeTlsFiles } from '../helpers/tls-files';

/** The command line as a user runs it: real processes, real exit codes, for each way it ships. */
describe.each(launchers())('the command line of %s', (_, command) => {
  const run = (args: string[], options: Parameters<typeof runGatehouse>[2] = {}) => runGatehouse(command, args, options);

  describe('usage', () => {
    test('--help prints the usage on stdout and exits 0', async () => {
      const result = await run(['--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: gatehouse \[command\] \[options\]/);
      expect(result.stdout).toContain('healthcheck [--url URL]');
      expect(result.stdout).toContain('user passwd USERNAME');
      expect(result.stderr).toBe('');
    });

    test.each([
      [['frobnicate'], 'unknown command: frobnicate'],
      [['--frobnicate'], "unknown option '--frobnicate'"],
      [['keygen', 'extra'], 'unexpected argument: extra'],
      [['keygen', '--url', 'http://127.0.0.1:1'], 'option --url does not apply to keygen'],
      [['user'], 'user: missing action (add, delete or passwd)'],
      [['user', 'rename', 'alice'], 'unknown user action: rename'],
      [['user', 'add'], 'user add: missing USERNAME'],
      [['user', 'delete', 'alice', '--first-name', 'A'], 'user delete: --first-name and --last-name apply to user add only'],
    ])('%j: a one-line error, then the usage, exit 2', async (args, message) => {
      const result = await run(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      const [first, blank, usage] = result.stderr.split('\n');
      expect(first).toBe(`gatehouse: ${message}`);
      expect(blank).toBe('');
      expect(usage).toBe('Usage: gatehouse [command] [options]');
    });
  });

  describe('healthcheck', () => {
    test('exit 0 when the server answers ready; the default URL comes from HOST and PORT, 0.0.0.0 asked on loopback', async () => {
      const port = await freePort();
      const gatehouse = await startGatehouse({ HOST: '0.0.0.0', PORT: String(port) }, command);
      try {
        const byConfig = await run(['healthcheck'], { env: { HOST: '0.0.0.0', PORT: String(port) } });
        expect(byConfig).toEqual({ code: 0, stdout: `ready: http://127.0.0.1:${port}/readyz\n`, stderr: '' });
        const byUrl = await run(['healthcheck', '--url', `http://127.0.0.1:${port}`]);
        expect(byUrl.code).toBe(0);
      } finally {
        await gatehouse.stop();
      }
    });

    test('exit 1 when nothing listens', async () => {
      const port = await freePort();
      const result = await run(['healthcheck', '--url', `http://127.0.0.1:${port}/`]);
      expect(result).toEqual({ code: 1, stdout: '', stderr: `not ready: http://127.0.0.1:${port}/readyz: ECONNREFUSED\n` });
    });

    test('exit 1 when the server answers but is not ready (its Redis is down)', async () => {
      const deadRedis = `redis://127.0.0.1:${await freePort()}`;
      const gatehouse = await startGatehouse(
        { STORE: 'redis', REDIS_URL: deadRedis, TOKEN_KEYS: generateLocalKey() },
        command,
      );
      try {
        const result = await run(['healthcheck', '--url', gatehouse.url]);
        expect(result).toEqual({ code: 1, stdout: '', stderr: `not ready: ${gatehouse.url}/readyz answered 503\n` });
      } finally {
        await gatehouse.stop();
      }
    });

    test('an https URL: the certificate is checked (exit 1 for an unknown CA), and a CA added with NODE_EXTRA_CA_CERTS is trusted', async () => {
      const tlsFiles = await makeTlsFiles();
      const server = createHttpsServer({ cert: readFileSync(tlsFiles.cert), key: readFileSync(tlsFiles.key) }, (req, res) => {
        res.statusCode = req.url === '/readyz' ? 200 : 404;
        res.end('{}');
      });
      try {
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const untrusted = await run(['healthcheck', '--url', url]);
        expect(untrusted).toEqual({ code: 1, stdout: '', stderr: `not ready: ${url}/readyz: UNABLE_TO_VERIFY_LEAF_SIGNATURE\n` });
        const trusted = await run(['healthcheck', '--url', url], { env: { NODE_EXTRA_CA_CERTS: tlsFiles.ca } });
        expect(trusted).toEqual({ code: 0, stdout: `ready: ${url}/readyz\n`, stderr: '' });
      } finally {
        await new Promise((resolve) => server.close(resolve));
        tlsFiles.remove();
      }
    });

    test('a 200 whose body never ends: exit 0 at once, without waiting for the body', async () => {
      const server = createHttpServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
      });
      try {
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const started = performance.now();
        const result = await run(['healthcheck', '--url', url]);
        expect(result).toEqual({ code: 0, stdout: `ready: ${url}/readyz\n`, stderr: '' });
        // Well within the 3 s it waits for an answer: it did not wait for the body.
        expect(performance.now() - started).toBeLessThan(2500);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    test('a --url that is not an http URL is a usage error', async () => {
      const result = await run(['healthcheck', '--url', 'ftp://example.test']);
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')[0]).toBe('gatehouse: --url: not an http(s) URL: ftp://example.test');
    });
  });

  test('user commands refuse the memory store: a user added there would vanish with the command', async () => {
    const result = await run(['user', 'add', 'alice'], { input: 'a fine password\n' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'gatehouse: user commands need STORE=redis: the memory store lives inside one server process, ' +
        'so a user changed here would be lost when this command exits\n',
    );
  });

  test('user commands say when Redis cannot be reached, without its password', async () => {
    const port = await freePort();
    const result = await run(['user', 'delete', 'alice'], {
      env: { STORE: 'redis', REDIS_URL: `redis://:hunter2@127.0.0.1:${port}`, TOKEN_KEYS: generateLocalKey() },
    });
    expect(result.code).toBe(1);
    // The password masked, as in the start-up log line (src/store/redis-target.ts).
    expect(result.stderr).toBe(`gatehouse: cannot reach Redis at redis://:***@127.0.0.1:${port}\n`);
    expect(result.stderr).not.toContain('hunter2');
  });

  describe('user add | passwd | delete against Redis', () => {
    const prefix = uniquePrefix('cli-user');
    const env = { STORE: 'redis', REDIS_URL: redisUrl, REDIS_PREFIX: prefix, TOKEN_KEYS: generateLocalKey() };
    let redis: Redis;
    let store: RedisStore;
    beforeAll(async () => {
      redis = await testRedisClient();
      store = new RedisStore(redis, prefix);
    });
    afterAll(async () => {
      await deleteKeysUnder(redis, prefix);
      redis.disconnect();
    });

    test('add: the password from stdin (one final line break dropped), the name lowercased, exit 0', async () => {
      const result = await run(['user', 'add', 'Carol', '--first-name', 'Carol', '--last-name', 'Danvers'], {
        env,
        input: 'higher further faster\n',
      });
      expect(result).toEqual({ code: 0, stdout: 'created user carol\n', stderr: '' });
      const user = await store.findUser('carol');
      expect(user).toMatchObject({ username: 'carol', firstName: 'Carol', lastName: 'Danvers', generation: expect.any(Number) });
      expect(await verify(user!.passwordHash, 'higher further faster')).toBe(true);
    });

    test('add of a taken name (any case): exit 3, the user untouched', async () => {
      const before = await store.findUser('carol');
      const result = await run(['user', 'add', 'CAROL'], { env, input: 'another password' });
      expect(result).toEqual({ code: 3, stdout: '', stderr: 'gatehouse: user carol already exists\n' });
      expect(await store.findUser('carol')).toEqual(before);
    });

    test('add with a password /register would refuse: its message, exit 1, nothing stored', async () => {
      const result = await run(['user', 'add', 'dave'], { env, input: 'short\n' });
      expect(result).toEqual({ code: 1, stdout: '', stderr: 'gatehouse: password must be at least 8 characters\n' });
      expect(await store.findUser('dave')).toBeNull();
    });

    test('add with an invalid username: the /register rule, exit 1', async () => {
      const result = await run(['user', 'add', 'no spaces'], { env, input: 'a fine password' });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('gatehouse: username must be 1 to 64 characters: letters, digits and . _ - @\n');
      expect(await keysUnder(redis, prefix)).toEqual([`${prefix}{carol}:user`]);
    });

    test('passwd: the new password works, the old one not, and every session of the user has ended', async () => {
      const user = (await store.findUser('carol'))!;
      const now = Date.now();
      for (const jti of ['s1', 's2']) {
        const session = { jti, username: 'carol', issuedAt: now, expiresAt: now + 60_000, userAgent: null, address: null };
        expect(await store.createSession(session, user.generation, 10)).toBe(true);
      }
      const result = await run(['user', 'passwd', 'carol'], { env, input: 'a brand new password\n' });
      expect(result).toEqual({
        code: 0,
        stdout: 'changed the password of carol; all of its sessions have ended\n',
        stderr: '',
      });
      const changed = (await store.findUser('carol'))!;
      expect(changed.generation).toBe(user.generation + 1);
      expect(await verify(changed.passwordHash, 'a brand new password')).toBe(true);
      expect(await verify(changed.passwordHash, 'higher further faster')).toBe(false);
      expect(await store.listSessions('carol', Date.now())).toEqual([]);
    });

    test('passwd with an empty password: exit 1, nothing changed', async () => {
      const before = await store.findUser('carol');
      const result = await run(['user', 'passwd', 'carol'], { env, input: '' });
      expect(result).toEqual({ code: 1, stdout: '', stderr: 'gatehouse: password is a required field\n' });
      expect(await store.findUser('carol')).toEqual(before);
    });

    test('passwd and delete of an unknown user: exit 4', async () => {
      expect(await run(['user', 'passwd', 'nobody'], { env, input: 'a fine password' })).toEqual({
        code: 4,
        stdout: '',
        stderr: 'gatehouse: no such user: nobody\n',
      });
      expect(await run(['user', 'delete', 'nobody'], { env })).toEqual({
        code: 4,
        stdout: '',
        stderr: 'gatehouse: no such user: nobody\n',
      });
    });

    test('delete: the user and all of its keys are gone, exit 0', async () => {
      const result = await run(['user', 'delete', 'Carol'], { env });
      expect(result).toEqual({ code: 0, stdout: 'deleted user carol and all of its sessions\n', stderr: '' });
      expect(await store.findUser('carol')).toBeNull();
      expect(await keysUnder(redis, prefix)).toEqual([]);
    });
  });
});
