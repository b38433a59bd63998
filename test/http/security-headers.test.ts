import supertest from 'supertest';
import { createApp } from '../../src/app';
import { PasswordHasherBusy } from '../../src/passwords/hasher';
import { basic, createTestApp, type TestApp } from '../helpers/app';
import { SECURITY_HEADERS } from '../helpers/security-headers';

describe('security headers on every status', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('memory', { LOGIN_FAILURES_PER_ACCOUNT: '1' });
  });
  afterAll(() => t.close());

  const cases: [number, () => Promise<supertest.Response>][] = [
    [200, () => t.request().get('/')],
    [201, () => t.request().post('/register/').send({ username: 'hdr', password: 'a long enough password' })],
    [400, () => t.request().post('/register/').set('Content-Type', 'application/json').send('{bad')],
    [401, () => t.request().get('/dashboard/')],
    [404, () => t.request().get('/nowhere')],
    [405, () => t.request().put('/dashboard/')],
    [409, () => t.request().post('/register/').send({ username: 'hdr', password: 'a long enough password' })],
    [413, () => t.request().post('/register/').send({ username: 'x', password: 'y'.repeat(20_000) })],
    [415, () => t.request().post('/register/').set('Content-Type', 'text/plain').send('hello')],
    [
      429,
      async () => {
        await t.request().post('/login/').set('Authorization', basic('locked', 'wrong password'));
        return t.request().post('/login/').set('Authorization', basic('locked', 'wrong password'));
      },
    ],
    [
      503,
      () => {
        const busy = createApp({ ...t.deps, passwords: { ...t.deps.passwords, hash: () => Promise.reject(new PasswordHasherBusy()) } });
        return supertest(busy.callback()).post('/register/').send({ username: 'busy', password: 'a long enough password' });
      },
    ],
    [
      500,
      () => {
        const broken = createApp({ ...t.deps, store: { ...t.deps.store, findUser: () => Promise.reject(new Error('boom')) } });
        return supertest(broken.callback()).post('/register/').send({ username: 'boom', password: 'a long enough password' });
      },
    ],
  ];

  test.each(cases)('%i carries Cache-Control no-store, nosniff, the CSP, Referrer-Policy and no X-Powered-By', async (status, send) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers).toMatchObject(SECURITY_HEADERS);
    expect(res.headers['x-powered-by']).toBeUndefined();
    if (status >= 400) expect(res.body).toEqual({ msg: expect.any(String), data: null, error: expect.any(String) });
  });
});
