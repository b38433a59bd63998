import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';
import { describeWithNginx, startNginx, type NginxProcess } from '../helpers/nginx';

/**
 * gatehouse as the auth_request target of a real nginx (Debian's package), running the
 * README's configuration (examples/nginx/gatehouse.conf), in front of a small upstream app
 * that answers with the headers it received.
 */
describeWithNginx()('nginx auth_request in front of an app', () => {
  let gatehouse: GatehouseProcess;
  let nginx: NginxProcess;
  let upstream: Server;
  let token: string;
  const username = 'nginx-user';
  const password = 'a good nginx password';
  const received: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      received.push(req.headers);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ path: req.url, headers: req.headers }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    gatehouse = await startGatehouse({ STORE: 'memory' });
    nginx = await startNginx({
      gatehouse: new URL(gatehouse.url).host,
      app: `127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    });
    // A user registers and logs in at gatehouse directly.
    const register = await fetch(`${gatehouse.url}/register/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    expect(register.status).toBe(201);
    const login = await fetch(`${gatehouse.url}/login/`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    });
    token = ((await login.json()) as { data: { auth_token: string } }).data.auth_token;
  });
  afterAll(async () => {
    await nginx?.stop();
    await gatehouse?.stop();
    await new Promise((resolve) => upstream?.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${nginx.url}${path}`, { headers });

  test('no token: 401 from nginx with gatehouse\'s challenge, and the app is not reached', async () => {
    const res = await get('/private/page');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"');
    expect(received).toEqual([]);
  });

  test('a valid token: the app receives the username in the headers nginx set from gatehouse\'s answer', async () => {
    const res = await get('/private/page?x=1', { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { path: string };
    expect(body.path).toBe('/private/page?x=1');
    expect(received).toHaveLength(1);
    expect(received[0]!['x-auth-request-user']).toBe(username);
    expect(received[0]!['remote-user']).toBe(username);
    expect(received[0]!['x-auth-request-session']).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  test('the token in X-Auth-Token works the same way', async () => {
    const res = await get('/', { 'X-Auth-Token': token });
    expect(res.status).toBe(200);
    expect(received[0]!['x-auth-request-user']).toBe(username);
  });

  test('identity headers sent by the client never reach the app as the identity', async () => {
    const spoof = { 'X-Auth-Request-User': 'mallory', 'Remote-User': 'mallory', 'X-Auth-Request-Session': 'forged' };
    const refused = await get('/', spoof);
    expect(refused.status).toBe(401);
    expect(received).toEqual([]);

    const res = await get('/', { ...spoof, Authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(received[0]!['x-auth-request-user']).toBe(username);
    expect(received[0]!['remote-user']).toBe(username);
    expect(received[0]!['x-auth-request-session']).not.toBe('forged');
    expect(JSON.stringify(received[0])).not.toContain('mallory');
  });

  test('an invalid token: 401 with error="invalid_token", the app is not reached', async () => {
    const res = await get('/', { Authorization: `Bearer ${token.slice(0, -3)}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="gatehouse", error="invalid_token"/);
    expect(received).toEqual([]);
  });

  test('after logout: 401, the app is not reached', async () => {
    const logout = await fetch(`${gatehouse.url}/logout/`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
    expect(logout.status).toBe(200);
    const res = await get('/private/page', { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect(received).toEqual([]);
  });

  test('gatehouse down: nginx fails closed (500), the app is not reached', async () => {
    await gatehouse.stop();
    const res = await get('/', { Authorization: `Bearer ${token}` });
    expect(res.status).toBe(500);
    expect(received).toEqual([]);
  });
});
