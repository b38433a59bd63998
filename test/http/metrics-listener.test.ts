import type { Server } from 'node:http';
import { metricsListener } from '../../src/http/metrics-listener';
import { createHttpServer } from '../../src/http/node-server';
import { createTestApp, type TestApp } from '../helpers/app';
import { listen, rawRequest } from '../helpers/raw-http';
import { GENERATED_REQUEST_ID, SECURITY_HEADERS } from '../helpers/security-headers';

const PROMETHEUS = /^text\/plain; version=0\.0\.4; charset=utf-8$/;

/** The headers every gatehouse response carries, the request id included. */
function expectCommonHeaders(res: Response) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
  expect(res.headers.get('x-request-id')).toMatch(GENERATED_REQUEST_ID);
}

async function expectEnvelope(res: Response, status: number, error: string, msg: string) {
  expect(res.status).toBe(status);
  expectCommonHeaders(res);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(await res.json()).toEqual({ msg, data: null, error });
}

/** The METRICS_PORT listener as server.ts starts it, over a real port. */
async function startListener(t: TestApp, metrics: Parameters<typeof metricsListener>[0]['metrics']) {
  const server = createHttpServer(t.deps.config, metricsListener({ metrics, log: t.deps.log }), t.deps.log);
  const port = await listen(server);
  return { server, port, url: `http://127.0.0.1:${port}` };
}

async function stop(server: Server) {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe('the METRICS_PORT listener answers as the main app would', () => {
  let t: TestApp;
  let server: Server;
  let port: number;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp('memory', { METRICS_PORT: '0' });
    ({ server, port, url } = await startListener(t, t.deps.metrics));
    // Something for the registry to show.
    await t.request().get('/nowhere').expect(404);
  });
  afterAll(async () => {
    await stop(server);
    await t.close();
  });

  test.each(['/metrics', '/metrics/', '/metrics?x=1', '/metrics/?x=1'])('GET %s: 200 with the Prometheus text', async (path) => {
    const res = await fetch(`${url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(PROMETHEUS);
    expectCommonHeaders(res);
    const text = await res.text();
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(text).toContain('gatehouse_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toMatch(/^gatehouse_store_errors_total 0$/m);
  });

  test('a well-formed X-Request-Id is echoed; a bad one is replaced', async () => {
    const kept = await fetch(`${url}/metrics`, { headers: { 'X-Request-Id': 'scrape-7.a:1' } });
    expect(kept.headers.get('x-request-id')).toBe('scrape-7.a:1');
    const replaced = await fetch(`${url}/nowhere`, { headers: { 'X-Request-Id': 'bad id' } });
    expect(replaced.headers.get('x-request-id')).toMatch(GENERATED_REQUEST_ID);
    await Promise.all([kept.text(), replaced.text()]);
  });

  test.each(['/metrics', '/metrics/'])('HEAD %s: 200 with the headers and no body', async (path) => {
    const res = await rawRequest(port, `HEAD ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject(SECURITY_HEADERS);
    expect(res.headers['content-type']).toMatch(PROMETHEUS);
    expect(res.headers['x-request-id']).toMatch(GENERATED_REQUEST_ID);
    expect(Number(res.headers['content-length'])).toBeGreaterThan(100);
    expect(res.body).toBe('');
  });

  test.each(['POST', 'DELETE', 'PUT'])('%s /metrics: 405 with Allow, in the envelope', async (method) => {
    const res = await fetch(`${url}/metrics/`, { method });
    expect(res.headers.get('allow')).toBe('HEAD, GET');
    await expectEnvelope(res, 405, 'method_not_allowed', `${method} is not allowed here; allowed: HEAD, GET`);
  });

  test('OPTIONS /metrics: 200 with Allow', async () => {
    const res = await fetch(`${url}/metrics`, { method: 'OPTIONS' });
    expect(res.status).toBe(200);
    expect(res.headers.get('allow')).toBe('HEAD, GET');
    expectCommonHeaders(res);
    expect(await res.text()).toBe('');
  });

  test.each([
    ['GET', '/dashboard/'],
    ['GET', '/'],
    ['GET', '/metrics//'],
    ['GET', '/metrics/x'],
    ['POST', '/nowhere?q=1'],
  ])('%s %s: 404 in the envelope', async (method, path) => {
    const res = await fetch(`${url}${path}`, { method });
    await expectEnvelope(res, 404, 'not_found', `no route for ${method} ${path.split('?')[0]}`);
  });

  test('a malformed request is answered in the envelope too', async () => {
    const res = await rawRequest(port, 'HELLO THERE\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.headers).toMatchObject(SECURITY_HEADERS);
    expect(res.headers['x-request-id']).toMatch(GENERATED_REQUEST_ID);
    expect(JSON.parse(res.body)).toEqual({ msg: 'the request is not valid HTTP/1.1', data: null, error: 'invalid_request' });
  });

  test('its requests are neither logged nor counted', async () => {
    const before = t.logs.length;
    await (await fetch(`${url}/metrics`)).text();
    await (await fetch(`${url}/nowhere`)).text();
    expect(t.logs.slice(before).filter((line) => line.includes('"event":"request"'))).toEqual([]);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).not.toMatch(/route="\/metrics"/);
  });
});

test('a failing registry: 500 in the envelope, with the headers, logged', async () => {
  const t = await createTestApp('memory', { METRICS_PORT: '0' });
  const registry = { contentType: t.deps.metrics.registry.contentType, metrics: () => Promise.reject(new Error('collector broke')) };
  const { server, url } = await startListener(t, { registry } as unknown as Parameters<typeof metricsListener>[0]['metrics']);
  try {
    const res = await fetch(`${url}/metrics`);
    await expectEnvelope(res, 500, 'internal_error', 'internal server error');
    expect(t.logs.join('')).toMatch(/"level":50.*collector broke/);
  } finally {
    await stop(server);
    await t.close();
  }
});
