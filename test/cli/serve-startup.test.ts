import { createServer, type Server } from 'node:net';
import { listenFailure } from '../../src/cli/serve';
import { launchers, runGatehouse, startGatehouse } from '../helpers/gatehouse-process';
import { freePort } from '../helpers/redis-server';

/** Holds a port on 127.0.0.1 as another program would, until `close`. */
async function occupiedPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A Node stack frame, as printed for an error nobody foresaw. */
const STACK_FRAME = /\n\s+at /;

/**
 * `gatehouse serve` that cannot start: one line on stderr that names what to change, exit 1,
 * no stack trace, for each way it ships.
 */
describe.each(launchers())('serve that cannot start, run as %s', (_, command) => {
  const serve = (env: Record<string, string>) => runGatehouse(command, ['serve'], { env });

  test('PORT already in use', async () => {
    const taken = await occupiedPort();
    try {
      const result = await serve({ PORT: String(taken.port) });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`gatehouse: cannot listen on 127.0.0.1:${taken.port}: the address is already in use\n`);
      expect(result.stderr).not.toMatch(STACK_FRAME);
    } finally {
      await taken.close();
    }
  });

  test('METRICS_PORT already in use: the message says it is the metrics port', async () => {
    const taken = await occupiedPort();
    try {
      const result = await serve({ PORT: '0', METRICS_PORT: String(taken.port) });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `gatehouse: cannot listen on 127.0.0.1:${taken.port} for metrics (METRICS_PORT): the address is already in use\n`,
      );
      expect(result.stderr).not.toMatch(STACK_FRAME);
    } finally {
      await taken.close();
    }
  });

  test('a HOST that does not resolve', async () => {
    // .invalid never resolves (RFC 6761), whatever the resolver's search domains.
    const port = await freePort();
    const result = await serve({ HOST: 'not-a-host.invalid', PORT: String(port) });
    expect(result.code).toBe(1);
    // A resolver that does not answer at all (EAI_AGAIN) gets its own message; both name HOST.
    const said = [`no such host (HOST)`, `the host name could not be looked up, DNS did not answer (HOST)`];
    expect(said.map((why) => `gatehouse: cannot listen on not-a-host.invalid:${port}: ${why}\n`)).toContain(result.stderr);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  test('a HOST address this machine does not have', async () => {
    // TEST-NET-1 (RFC 5737): assigned to no machine.
    const port = await freePort();
    const result = await serve({ HOST: '192.0.2.1', PORT: String(port) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`gatehouse: cannot listen on 192.0.2.1:${port}: this machine has no such address (HOST)\n`);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  test('METRICS_PORT equal to PORT is an invalid configuration, reported before listening', async () => {
    const port = await freePort();
    const result = await serve({ PORT: String(port), METRICS_PORT: String(port) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`gatehouse: invalid configuration:\n  - METRICS_PORT: must differ from PORT (${port})\n`);
  });

  test('METRICS_PORT and PORT both 0 start: each listener gets a free port of its own', async () => {
    const gatehouse = await startGatehouse({ PORT: '0', METRICS_PORT: '0' }, command);
    try {
      const metricsUrl = /"event":"metrics_listening","url":"(http:\/\/[^"]+)"/.exec(gatehouse.output())?.[1];
      expect(metricsUrl).toBeDefined();
      expect(metricsUrl).not.toBe(gatehouse.url);
      expect((await fetch(`${metricsUrl}/metrics`)).status).toBe(200);
    } finally {
      expect(await gatehouse.stop()).toBe(0);
    }
  });

  test('a METRICS_PORT that is not a port, and a true/false setting that is neither, name what they accept', async () => {
    const result = await serve({ METRICS_PORT: 'abc', TRUST_PROXY: 'maybe' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'gatehouse: invalid configuration:\n' +
        '  - TRUST_PROXY: must be true or false (also 1/0, yes/no, on/off)\n' +
        '  - METRICS_PORT: must be a whole number from 0 to 65535, or empty to serve metrics on PORT\n',
    );
  });
});

describe('listenFailure: the one line for an error of listening, or null', () => {
  const config = { HOST: '127.0.0.1', PORT: 8080, METRICS_PORT: 9100 };
  const systemError = (code: string, fields: Record<string, unknown>) =>
    Object.assign(new Error(`${String(fields.syscall)} ${code}`), { code, ...fields });

  test.each([
    // Running as root in the test container, a real EACCES cannot be had: its error as Node makes it.
    [{ syscall: 'listen', address: '127.0.0.1', port: 80 }, { ...config, PORT: 80 }, 'cannot listen on 127.0.0.1:80: permission denied (ports below 1024 need privileges)'],
    [{ syscall: 'listen', address: '127.0.0.1', port: 9100 }, config, 'cannot listen on 127.0.0.1:9100 for metrics (METRICS_PORT): permission denied'],
    [{ syscall: 'listen', address: '::1', port: 8080 }, { ...config, HOST: '::1' }, 'cannot listen on [::1]:8080: permission denied'],
  ])('EACCES %j', (fields, settings, message) => {
    expect(listenFailure(systemError('EACCES', fields), settings)?.message).toBe(message);
  });

  test('a DNS server that does not answer for HOST', () => {
    const err = systemError('EAI_AGAIN', { syscall: 'getaddrinfo', hostname: 'gatehouse.internal' });
    expect(listenFailure(err, { ...config, HOST: 'gatehouse.internal' })?.message).toBe(
      'cannot listen on gatehouse.internal:8080: the host name could not be looked up, DNS did not answer (HOST)',
    );
  });

  test.each([
    ['another error of listening', systemError('EMFILE', { syscall: 'listen', port: 8080 })],
    ['a lookup of another host than HOST (e.g. Redis)', systemError('ENOTFOUND', { syscall: 'getaddrinfo', hostname: 'redis.internal' })],
    ['another system call', systemError('EADDRINUSE', { syscall: 'connect', port: 8080 })],
    ['a plain error', new Error('boom')],
    ['a thrown string', 'boom'],
  ])('%s: null, so its stack is printed', (_, err) => {
    expect(listenFailure(err, config)).toBeNull();
  });
});
