import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { EXIT } from '../../src/cli/exit-codes';
import { getStatus, healthcheck, InvalidUrlError, readinessUrl, serverUrl } from '../../src/cli/healthcheck';

describe('healthcheck', () => {
  test.each([
    ['127.0.0.1', 8080, 'http://127.0.0.1:8080'],
    ['0.0.0.0', 8080, 'http://127.0.0.1:8080'],
    ['::', 9000, 'http://[::1]:9000'],
    ['::1', 9000, 'http://[::1]:9000'],
    ['auth.internal', 80, 'http://auth.internal:80'],
  ])('serverUrl: HOST %s PORT %d is asked at %s', (HOST, PORT, url) => {
    expect(serverUrl({ HOST, PORT })).toBe(url);
  });

  test.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/readyz'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080/readyz'],
    ['https://example.test/auth', 'https://example.test/auth/readyz'],
  ])('readinessUrl: %s → %s', (base, url) => {
    expect(readinessUrl(base).href).toBe(url);
  });

  test.each(['ftp://example.test', 'not a url'])('readinessUrl refuses %s', (base) => {
    expect(() => readinessUrl(base)).toThrow(new InvalidUrlError(`not an http(s) URL: ${base}`));
  });

  describe('against a real HTTP server', () => {
    let server: Server;
    let status = 200;
    let delayMs = 0;
    let base: string;
    let authorization: string | undefined;
    beforeAll(async () => {
      server = createServer((req, res) => {
        authorization = req.headers.authorization;
        setTimeout(() => {
          res.statusCode = req.url === '/readyz' ? status : req.url === '/ready-elsewhere' ? 200 : 404;
          // A redirect to a ready server, which the check must not follow.
          if (status === 301) res.setHeader('Location', `${base}/ready-elsewhere`);
          res.end('{}');
        }, delayMs);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));
    beforeEach(() => {
      [status, delayMs] = [200, 0];
    });

    async function check(timeoutMs = 2000, url = readinessUrl(base)) {
      const [out, err] = [new PassThrough(), new PassThrough()];
      let [o, e] = ['', ''];
      out.on('data', (c) => (o += String(c)));
      err.on('data', (c) => (e += String(c)));
      const code = await healthcheck(url, { getStatus, timeoutMs, out, err });
      return { code, out: o, err: e };
    }

    test('200 from /readyz: exit 0', async () => {
      expect(await check()).toEqual({ code: EXIT.ok, out: `ready: ${base}/readyz\n`, err: '' });
    });

    test('503 from /readyz: exit 1, saying what it answered', async () => {
      status = 503;
      expect(await check()).toEqual({ code: EXIT.failed, out: '', err: `not ready: ${base}/readyz answered 503\n` });
    });

    test('credentials in the URL are sent as Basic, and the password is not printed', async () => {
      const withCredentials = base.replace('http://', 'http://probe:s3cret@');
      expect(await check(2000, readinessUrl(withCredentials))).toEqual({
        code: EXIT.ok,
        out: `ready: ${base.replace('http://', 'http://probe:***@')}/readyz\n`,
        err: '',
      });
      expect(authorization).toBe(`Basic ${Buffer.from('probe:s3cret').toString('base64')}`);
      status = 503;
      expect((await check(2000, readinessUrl(withCredentials))).err).toBe(`not ready: ${base.replace('http://', 'http://probe:***@')}/readyz answered 503\n`);
    });

    test('a redirect is not followed: exit 1, saying what it answered', async () => {
      status = 301;
      expect(await check()).toEqual({ code: EXIT.failed, out: '', err: `not ready: ${base}/readyz answered 301\n` });
    });

    test('no answer in time: exit 1', async () => {
      delayMs = 500;
      expect(await check(100)).toEqual({ code: EXIT.failed, out: '', err: `not ready: ${base}/readyz: no answer within 100 ms\n` });
    });
  });
});
