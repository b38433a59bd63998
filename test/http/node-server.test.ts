import type { Server } from 'node:http';
import { createHttpServer } from '../../src/http/node-server';
import { basic, createTestApp, registerAndLogin, type TestApp } from '../helpers/app';
import { listen, rawRequest, type RawResponse } from '../helpers/raw-http';
import { GENERATED_REQUEST_ID, SECURITY_HEADERS } from '../helpers/security-headers';

function expectEnvelope(res: RawResponse, status: number, error: string, msg: string | RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers).toMatchObject({ ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  // A new id each time, as the app generates for a request that sends none.
  expect(res.headers['x-request-id']).toMatch(GENERATED_REQUEST_ID);
  const body = JSON.parse(res.body) as { msg: string; data: unknown; error: string };
  expect(body).toEqual({ msg: expect.stringMatching(msg), data: null, error });
}

describe('the Node HTTP server gatehouse listens with', () => {
  let t: TestApp;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp('memory', { HEADERS_TIMEOUT: '1', REQUEST_TIMEOUT: '2', HEADER_LIMIT: '8192' });
    server = createHttpServer(t.deps.config, t.app.callback(), t.deps.log);
    port = await listen(server);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });

  test('headers over HEADER_LIMIT: 431 in the JSON envelope, not a bare status line', async () => {
    const res = await rawRequest(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(10_000)}\r\n\r\n`);
    expectEnvelope(res, 431, 'headers_too_large', 'the request headers are larger than the limit of 8192 bytes');
    expect(res.headers.connection).toBe('close');
    expect(res.closed).toBe(true);
  });

  test.each([
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n'],
    ['a control character in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n'],
    ['a space in a header name', 'GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n'],
    ['two Content-Length headers that disagree', 'POST /register/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
    ['Content-Length and Transfer-Encoding together', 'POST /register/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['a bad chunk size', 'POST /register/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n'],
  ])('%s: 400 in the JSON envelope', async (_, data) => {
    const res = await rawRequest(port, data);
    expectEnvelope(res, 400, 'invalid_request', 'the request is not valid HTTP/1.1');
  });

  test('CONNECT (which Node would drop without a word) is a 405 in the envelope: gatehouse is no proxy', async () => {
    const res = await rawRequest(port, 'CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n');
    expectEnvelope(res, 405, 'method_not_allowed', 'CONNECT is not allowed here; gatehouse is not a proxy');
    expect(res.closed).toBe(true);
  });

  test('each of those answers carries its own X-Request-Id; a CONNECT keeps a well-formed one it sent', async () => {
    const big = `GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: big-1\r\nX-Big: ${'a'.repeat(10_000)}\r\n\r\n`;
    const [first, second] = await Promise.all([rawRequest(port, big), rawRequest(port, big)]);
    expect(first!.status).toBe(431);
    // The parser refused the request, so its headers (and the id it sent) are not read.
    expect(first!.headers['x-request-id']).toMatch(GENERATED_REQUEST_ID);
    expect(second!.headers['x-request-id']).toMatch(GENERATED_REQUEST_ID);
    expect(first!.headers['x-request-id']).not.toBe(second!.headers['x-request-id']);
    const garbage = await rawRequest(port, 'HELLO THERE\r\n\r\n');
    expect(garbage.headers['x-request-id']).toMatch(GENERATED_REQUEST_ID);
    const connect = 'CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n';
    const kept = await rawRequest(port, `${connect}X-Request-Id: trace-9.a:1\r\n\r\n`);
    expect(kept.status).toBe(405);
    expect(kept.headers['x-request-id']).toBe('trace-9.a:1');
    const replaced = await rawRequest(port, `${connect}X-Request-Id: bad id\r\n\r\n`);
    expect(replaced.headers['x-request-id']).toMatch(GENERATED_REQUEST_ID);
  });

  test('a client that sends its headers too slowly (slowloris) is answered 408 and cut off', async () => {
    const res = await rawRequest(port, 'GET /dashboard/ HTTP/1.1\r\nHost: x\r\n', {
      trickle: Array.from({ length: 30 }, (_, i) => `X-Slow-${i}: y\r\n`),
      gapMs: 200,
    });
    expectEnvelope(res, 408, 'request_timeout', 'the request was not received in time');
    expect(res.closed).toBe(true);
    // HEADERS_TIMEOUT is 1 s and the server checks every 250 ms; the client would take 6 s.
    expect(res.elapsedMs).toBeGreaterThanOrEqual(900);
    expect(res.elapsedMs).toBeLessThan(2500);
  });

  test('a client that sends its body too slowly is answered 408 and cut off at REQUEST_TIMEOUT', async () => {
    const res = await rawRequest(
      port,
      'POST /register/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
      { trickle: Array.from({ length: 40 }, () => ' '), gapMs: 150 },
    );
    expectEnvelope(res, 408, 'request_timeout', 'the request was not received in time');
    expect(res.elapsedMs).toBeGreaterThanOrEqual(1900);
    expect(res.elapsedMs).toBeLessThan(3500);
    expect(t.logs.join('')).not.toContain('"level":50');
  });

  test('after all that the server still answers, and the parser errors were logged by code only', async () => {
    const password = 'a secret password that must not leak';
    const big = `POST /login/ HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic('alice', password)}\r\nX-Big: ${'b'.repeat(9000)}\r\n\r\n`;
    expect((await rawRequest(port, big)).status).toBe(431);
    const ok = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(ok.status).toBe(200);
    const logs = t.logs.join('');
    expect(logs).toContain('"event":"client_error","code":"HPE_HEADER_OVERFLOW","status":431');
    expect(logs).not.toContain(password);
    expect(logs).not.toContain(basic('alice', password).slice(6));
  });

  test('a normal request with a token still works over the same server', async () => {
    const token = await registerAndLogin(t, 'zoe', 'a fine long password');
    const res = await rawRequest(port, `GET /dashboard/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).data.username).toBe('zoe');
  });
});
