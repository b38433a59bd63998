import { basic, createTestApp, registerAndLogin, storeKinds, type TestApp } from '../helpers/app';
import { createApp } from '../../src/app';
import { StoreUnavailableError } from '../../src/store/store';
import supertest from 'supertest';
import { GENERATED_REQUEST_ID } from '../helpers/security-headers';

/** The request log lines written so far, parsed. */
function requestLines(t: TestApp): Record<string, unknown>[] {
  return t.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.event === 'request');
}

describe.each(storeKinds)('request logs and metrics (%s store)', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp(kind);
  });
  afterEach(() => t.close());

  test('a well-formed X-Request-Id is kept and echoed; otherwise one is generated', async () => {
    const kept = await t.request().get('/').set('X-Request-Id', 'trace-42.abc:7');
    expect(kept.headers['x-request-id']).toBe('trace-42.abc:7');
    const generated = await t.request().get('/');
    expect(generated.headers['x-request-id']).toMatch(GENERATED_REQUEST_ID);
    const replaced = await t.request().get('/').set('X-Request-Id', 'bad id with spaces');
    expect(replaced.headers['x-request-id']).toMatch(GENERATED_REQUEST_ID);
    // Errors carry it too.
    const error = await t.request().get('/nowhere').set('X-Request-Id', 'err-1');
    expect(error.headers['x-request-id']).toBe('err-1');
  });

  test('one JSON log line per request with method, route, status, duration and request id', async () => {
    await t.request().get('/dashboard/').set('X-Request-Id', 'req-1');
    await t.request().get('/no/such/path').set('X-Request-Id', 'req-2');
    expect(requestLines(t)).toEqual([
      expect.objectContaining({ req_id: 'req-1', method: 'GET', route: '/dashboard', path: '/dashboard/', status: 401, duration_ms: expect.any(Number) }),
      expect.objectContaining({ req_id: 'req-2', method: 'GET', route: 'unmatched', path: '/no/such/path', status: 404 }),
    ]);
  });

  test('health probes and metric scrapes are not logged', async () => {
    await t.request().get('/healthz').expect(200);
    await t.request().get('/readyz').expect(200);
    await t.request().get('/metrics').expect(200);
    expect(requestLines(t)).toEqual([]);
  });

  test('health probes and metric scrapes with a trailing slash (and a query) are not logged either', async () => {
    await t.request().get('/healthz/').expect(200);
    await t.request().get('/readyz/').expect(200);
    await t.request().get('/metrics/').expect(200);
    await t.request().get('/healthz/?probe=1').expect(200);
    await t.request().get('/metrics?scrape=1').expect(200);
    expect(requestLines(t)).toEqual([]);
    // Only those paths: a deeper one, or two slashes, is logged as usual.
    await t.request().get('/healthz/x').expect(404);
    await t.request().get('/metrics//').expect(404);
    expect(requestLines(t)).toEqual([
      expect.objectContaining({ method: 'GET', route: 'unmatched', path: '/healthz/x', status: 404 }),
      expect.objectContaining({ method: 'GET', route: 'unmatched', path: '/metrics//', status: 404 }),
    ]);
  });

  test('a login logs its outcome with the username and never the password or the token', async () => {
    const token = await registerAndLogin(t, 'alice', 'correct horse battery');
    await t.request().post('/login/').set('Authorization', basic('alice', 'wrong guess!')).expect(401);
    await t.request().get('/dashboard/').set('Authorization', `Bearer ${token}`).expect(200);
    const text = t.logs.join('');
    expect(text).toContain('"event":"login_succeeded","username":"alice"');
    expect(text).toContain('"event":"login_failed","username":"alice"');
    expect(text).not.toContain('correct horse battery');
    expect(text).not.toContain('wrong guess!');
    expect(text).not.toContain(token);
  });

  test('GET /metrics exposes requests by route and status, login outcomes and argon2 timings', async () => {
    await registerAndLogin(t, 'bob', 'correct horse battery');
    await t.request().post('/login/').set('Authorization', basic('bob', 'wrong password')).expect(401);
    await t.request().get('/nowhere');
    const res = await t.request().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('gatehouse_http_requests_total{method="POST",route="/register",status="201"} 1');
    expect(res.text).toContain('gatehouse_http_requests_total{method="POST",route="/login",status="200"} 1');
    expect(res.text).toContain('gatehouse_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(res.text).toMatch(/gatehouse_http_request_duration_seconds_count\{method="POST",route="\/login",status="401"\} 1/);
    expect(res.text).toContain('gatehouse_logins_total{outcome="success"} 1');
    expect(res.text).toContain('gatehouse_logins_total{outcome="failure"} 1');
    // register hashes once; the two logins verify once each.
    expect(res.text).toContain('gatehouse_argon2_duration_seconds_count{operation="hash"} 1');
    expect(res.text).toContain('gatehouse_argon2_duration_seconds_count{operation="verify"} 2');
  });
});

test('store failures are counted', async () => {
  const t = await createTestApp('memory');
  const app = createApp({ ...t.deps, store: { ...t.deps.store, ping: () => Promise.reject(new StoreUnavailableError('down')) } });
  await supertest(app.callback()).get('/readyz').expect(503);
  const res = await supertest(app.callback()).get('/metrics');
  expect(res.text).toContain('gatehouse_store_errors_total 1');
  await t.close();
});

test('with METRICS_PORT set, /metrics is not served on the main port', async () => {
  const t = await createTestApp('memory', { METRICS_PORT: '0' });
  await t.request().get('/metrics').expect(404);
  await t.close();
});
