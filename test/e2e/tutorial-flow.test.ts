import { launchers, startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';
import { cleanUpPrefix, storeSettings } from '../helpers/redis';
import { GENERATED_REQUEST_ID } from '../helpers/security-headers';

/**
 * The tutorial's Postman walk-through over a real port, against each way gatehouse ships (the
 * bundle `npm start` runs, and the single executable):
 * register (multipart form) → login (Basic) → dashboard (Bearer) → logout (GET) → dashboard 401.
 */
const setups = storeSettings('e2e');

describe.each(launchers())('gatehouse run as %s', (_, command) => {
  describe.each(setups)('the tutorial flow over HTTP (%s)', (_, env) => {
    let gatehouse: GatehouseProcess;
    let settings: Record<string, string>;
    beforeAll(async () => {
      settings = env();
      gatehouse = await startGatehouse(settings, command);
    });
    afterAll(async () => {
      await gatehouse.stop();
      // Stopped first: a write in flight would land after the keys are deleted.
      if (settings.REDIS_PREFIX !== undefined) await cleanUpPrefix(settings.REDIS_PREFIX);
    });

    test('register → login → dashboard → logout → dashboard is 401', async () => {
      const form = new FormData();
      form.append('username', 'Tutorial');
      form.append('password', 'a long tutorial password');
      form.append('first_name', 'Solomon');
      form.append('last_name', 'Esenyi');
      const register = await fetch(`${gatehouse.url}/register/`, { method: 'POST', body: form });
      expect(register.status).toBe(201);
      expect(await register.json()).toEqual({ msg: 'successfully created user profile', data: null });

      const basic = `Basic ${Buffer.from('tutorial:a long tutorial password').toString('base64')}`;
      const login = await fetch(`${gatehouse.url}/login/`, { method: 'POST', headers: { Authorization: basic } });
      expect(login.status).toBe(200);
      const { data } = (await login.json()) as { data: { auth_token: string; token_type: string } };
      expect(data.token_type).toBe('Bearer');
      const bearer = { Authorization: `Bearer ${data.auth_token}` };

      const dashboard = await fetch(`${gatehouse.url}/dashboard/`, { headers: bearer });
      expect(dashboard.status).toBe(200);
      expect(await dashboard.json()).toEqual({
        msg: 'successfully requested user info',
        data: { username: 'tutorial', first_name: 'Solomon', last_name: 'Esenyi' },
      });

      const logout = await fetch(`${gatehouse.url}/logout/`, { headers: bearer });
      expect(logout.status).toBe(200);
      expect(await logout.json()).toEqual({ msg: 'successfully invalidated token', data: null });

      const after = await fetch(`${gatehouse.url}/dashboard/`, { headers: bearer });
      expect(after.status).toBe(401);
      expect(after.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    });

    test('start-up says where it listens and which store it uses', () => {
      expect(gatehouse.output()).toMatch(new RegExp(`gatehouse listening on ${gatehouse.url} \\(store: (memory|redis)\\)`));
    });
  });

  describe('process lifecycle', () => {
    test('SIGTERM shuts the server down cleanly with exit code 0', async () => {
      const gatehouse = await startGatehouse({}, command);
      expect(await gatehouse.stop('SIGTERM')).toBe(0);
      expect(gatehouse.output()).toContain('"event":"stopped"');
    });

    test('SIGINT too', async () => {
      const gatehouse = await startGatehouse({}, command);
      expect(await gatehouse.stop('SIGINT')).toBe(0);
    });

    test('with the memory store and no key it warns loudly that tokens die with the process', async () => {
      const gatehouse = await startGatehouse({}, command);
      expect(gatehouse.output()).toMatch(/"level":40.*TOKEN_KEYS is not set/);
      await gatehouse.stop();
    });

    test('invalid settings: exit non-zero listing every problem, before listening', async () => {
      await expect(startGatehouse({ STORE: 'redis', TOKEN_TTL: 'soon', PORT: '99999' }, command)).rejects.toThrow(
        /exited with 1 before listening:\ngatehouse: invalid configuration:\n {2}- PORT: must be at most 65535\n {2}- TOKEN_TTL: must be a whole number\n {2}- TOKEN_KEYS: required when STORE=redis/,
      );
    });

    test('the Redis store without TOKEN_KEYS refuses to start', async () => {
      await expect(startGatehouse({ STORE: 'redis' }, command)).rejects.toThrow(/TOKEN_KEYS: required when STORE=redis/);
    });
  });
});

describe('metrics', () => {
  test('the server process exposes process metrics and event-loop lag at /metrics', async () => {
    const gatehouse = await startGatehouse({});
    try {
      const text = await (await fetch(`${gatehouse.url}/metrics`)).text();
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
      expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    } finally {
      await gatehouse.stop();
    }
  });

  test('METRICS_PORT serves /metrics on a separate listener, and only there', async () => {
    const gatehouse = await startGatehouse({ METRICS_PORT: '0' });
    try {
      const metricsUrl = /"event":"metrics_listening","url":"([^"]+)"/.exec(gatehouse.output())![1]!;
      expect(metricsUrl).not.toBe(gatehouse.url);
      for (const path of ['/metrics', '/metrics/']) {
        const res = await fetch(`${metricsUrl}${path}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('x-request-id')).toMatch(GENERATED_REQUEST_ID);
        expect(await res.text()).toMatch(/^process_cpu_seconds_total/m);
      }
      const head = await fetch(`${metricsUrl}/metrics`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await head.text()).toBe('');
      const post = await fetch(`${metricsUrl}/metrics`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('HEAD, GET');
      expect(await post.json()).toEqual({ msg: 'POST is not allowed here; allowed: HEAD, GET', data: null, error: 'method_not_allowed' });
      const unknown = await fetch(`${metricsUrl}/dashboard`);
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(unknown.headers.get('cache-control')).toBe('no-store');
      expect(unknown.headers.get('x-request-id')).toMatch(GENERATED_REQUEST_ID);
      expect(await unknown.json()).toEqual({ msg: 'no route for GET /dashboard', data: null, error: 'not_found' });
      expect((await fetch(`${gatehouse.url}/metrics`)).status).toBe(404);
    } finally {
      expect(await gatehouse.stop()).toBe(0);
    }
  });
});
