import { brotliCompressSync, gzipSync } from 'node:zlib';
import { launchers, startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';

/**
 * What gatehouse ships loads `mime-types`, `destroy` and `inflation` on their first call, through
 * stand-ins the build puts in their place (scripts/build.mjs, LAZY_MODULES). The requests here go
 * through each of them, in the bundle and in the single executable.
 */
describe.each(launchers())('modules loaded on first use, gatehouse run as %s', (_, command) => {
  let gatehouse: GatehouseProcess;
  beforeAll(async () => {
    gatehouse = await startGatehouse({}, command);
  });
  afterAll(async () => {
    expect(await gatehouse.stop()).toBe(0);
  });

  const register = (body: Buffer, headers: Record<string, string>) =>
    fetch(`${gatehouse.url}/register/`, { method: 'POST', headers, body });
  const login = (username: string, password: string) =>
    fetch(`${gatehouse.url}/login/`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    });

  test('a gzip JSON body (inflation, and the type check through mime-types): 201, and the user logs in', async () => {
    const body = gzipSync(Buffer.from(JSON.stringify({ username: 'zipped', password: 'a zipped password' })));
    const res = await register(body, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ msg: 'successfully created user profile', data: null });
    expect((await login('zipped', 'a zipped password')).status).toBe(200);
  });

  test('a brotli urlencoded body: 201, and the user logs in', async () => {
    const body = brotliCompressSync(Buffer.from('username=brotli&password=a+brotli+password'));
    const res = await register(body, { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Encoding': 'br' });
    expect(res.status).toBe(201);
    expect((await login('brotli', 'a brotli password')).status).toBe(200);
  });

  test('another content coding: 415 with Accept-Encoding', async () => {
    const res = await register(Buffer.from('{}'), { 'Content-Type': 'application/json', 'Content-Encoding': 'compress' });
    expect(res.status).toBe(415);
    expect(res.headers.get('accept-encoding')).toBe('gzip, deflate, br');
    expect(await res.json()).toEqual({
      msg: "the request body's Content-Encoding must be one of: gzip, deflate, br (or none)",
      data: null,
      error: 'unsupported_media_type',
    });
  });

  test("a docs asset's Content-Type (Koa's type setter, through mime-types)", async () => {
    const res = await fetch(`${gatehouse.url}/docs/swagger-ui.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await res.text()).length).toBeGreaterThan(1000);
  });
});
