import { createApp } from '../../src/app';
import { StoreUnavailableError } from '../../src/store/store';
import supertest from 'supertest';
import { createTestApp, storeKinds, type TestApp } from '../helpers/app';

describe.each(storeKinds)('GET /healthz and /readyz (%s store)', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp(kind);
  });
  afterEach(() => t.close());

  test('liveness answers 200', async () => {
    const res = await t.request().get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ msg: 'alive', data: null });
  });

  test('readiness answers 200 while the store answers', async () => {
    const res = await t.request().get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ msg: 'ready', data: null });
  });

  test('readiness answers 503 with Retry-After once shutdown has begun', async () => {
    t.deps.lifecycle.beginShutdown();
    const res = await t.request().get('/readyz');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body).toEqual({ msg: 'gatehouse is shutting down', data: null, error: 'service_unavailable' });
    // Liveness is unaffected: the process still answers.
    await t.request().get('/healthz').expect(200);
  });
});

test('readiness answers 503 with Retry-After when the store does not answer', async () => {
  const t = await createTestApp('memory');
  const app = createApp({ ...t.deps, store: { ...t.deps.store, ping: () => Promise.reject(new StoreUnavailableError('down')) } });
  const res = await supertest(app.callback()).get('/readyz');
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('1');
  expect(res.body).toEqual({ msg: 'the user store is unavailable; try again shortly', data: null, error: 'service_unavailable' });
  await t.close();
});
