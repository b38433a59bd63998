import { basic, createTestApp, type TestApp } from '../helpers/app';

/**
 * JSON bodies are serialised by gatehouse (src/http/json-body.ts) so that Koa's body setter never
 * tests them against the global Response: its first touch loads Node's fetch implementation,
 * which cost 35 to 40 ms on the first request after every start.
 */
describe('JSON responses', () => {
  let t: TestApp;
  let touched: string[];
  const original = Object.getOwnPropertyDescriptor(globalThis, 'Response')!;

  beforeEach(async () => {
    t = await createTestApp('memory');
    touched = [];
    Object.defineProperty(globalThis, 'Response', {
      configurable: true,
      get() {
        touched.push(new Error().stack ?? '');
        return 'get' in original ? original.get!.call(globalThis) : original.value;
      },
    });
  });
  afterEach(async () => {
    Object.defineProperty(globalThis, 'Response', original);
    await t.close();
  });

  test('success and error answers are the same JSON, with the same type, and never touch the global Response', async () => {
    const ready = await t.request().get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(ready.headers['content-length']).toBe(String(Buffer.byteLength(ready.text)));
    expect(JSON.parse(ready.text)).toEqual({ msg: 'ready', data: null });

    await t.request().post('/register/').send({ username: 'alice', password: 'correct horse battery' }).expect(201);
    const login = await t.request().post('/login/').set('Authorization', basic('alice', 'correct horse battery'));
    expect(login.status).toBe(200);
    expect(login.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(login.body.data.token_type).toBe('Bearer');

    const refused = await t.request().get('/dashboard/');
    expect(refused.status).toBe(401);
    expect(refused.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(refused.body).toEqual({ msg: expect.any(String), data: null, error: expect.any(String) });

    const head = await t.request().head('/healthz');
    expect(head.status).toBe(200);
    expect(head.text ?? '').toBe('');

    expect(touched).toEqual([]);
  });
});
