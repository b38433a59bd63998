import { launchers, startGatehouse, type GatehouseProcess } from '../helpers/gatehouse-process';

/** gatehouse_token_decryptions_total by thread, from /metrics. */
async function decryptions(gatehouse: GatehouseProcess): Promise<Record<string, number>> {
  const text = await (await fetch(`${gatehouse.url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const [, thread, value] of text.matchAll(/^gatehouse_token_decryptions_total\{thread="(\w+)"\} (\d+)$/gm)) {
    counts[thread!] = Number(value);
  }
  return counts;
}
const line = (gatehouse: GatehouseProcess, event: string) =>
  gatehouse
    .output()
    .split('\n')
    .find((l) => l.includes(`"event":"${event}"`));

/** TOKEN_WORKER in each way gatehouse ships: the worker thread is there, and tokens are read through it. */
describe.each(launchers())('TOKEN_WORKER, gatehouse run as %s', (_, command) => {
  const started: GatehouseProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const gatehouse = await startGatehouse({ STORE: 'memory', LOG_LEVEL: 'debug', LOG_FORMAT: 'json', ...env }, command);
    started.push(gatehouse);
    return gatehouse;
  };
  afterEach(async () => {
    for (const gatehouse of started.splice(0)) expect(await gatehouse.stop()).toBe(0);
  });

  test('is on by default and decrypts tokens not in the cache; TOKEN_WORKER=false reads them the same on the main thread', async () => {
    const on = await start({});
    const off = await start({ TOKEN_WORKER: 'false' });
    expect(JSON.parse(line(on, 'token_worker')!)).toMatchObject({ enabled: true });
    expect(JSON.parse(line(off, 'token_worker')!)).toMatchObject({ enabled: false });

    for (const gatehouse of [on, off]) {
      const register = await fetch(`${gatehouse.url}/register/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'worker', password: 'a worker password' }),
      });
      expect(register.status).toBe(201);
      const login = await fetch(`${gatehouse.url}/login/`, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from('worker:a worker password').toString('base64')}` },
      });
      const token = ((await login.json()) as { data: { auth_token: string } }).data.auth_token;
      // Never seen by this process's cache: decrypted on the worker (or, off, on the main thread).
      const dashboard = await fetch(`${gatehouse.url}/dashboard/`, { headers: { Authorization: `Bearer ${token}` } });
      expect(dashboard.status).toBe(200);
      expect(await dashboard.json()).toEqual({
        msg: 'successfully requested user info',
        data: { username: 'worker', first_name: null, last_name: null },
      });
      const tampered = `${token.slice(0, 30)}${token[30] === 'A' ? 'B' : 'A'}${token.slice(31)}`;
      const refused = await fetch(`${gatehouse.url}/dashboard/`, { headers: { Authorization: `Bearer ${tampered}` } });
      expect(refused.status).toBe(401);
    }
    // Two tokens not in the cache (the good one and the tampered one), both on the worker.
    expect(await decryptions(on)).toEqual({ worker: 2 });
    expect(await decryptions(off)).toEqual({});
    expect(on.output()).not.toContain('token_worker_failed');
  });

  test('a value that is not true or false stops the start with a message naming the setting', async () => {
    await expect(startGatehouse({ TOKEN_WORKER: 'sometimes' }, command)).rejects.toThrow(/TOKEN_WORKER.*true or false/s);
  });
});
