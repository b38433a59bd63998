import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load';
import { generateLocalKey } from '../../src/tokens/paserk';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function configFile(content: unknown): string {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}
function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  test('defaults: port 8080 on 127.0.0.1, memory store, one-hour tokens, OWASP argon2id parameters', () => {
    expect(loadConfig({ env: {} })).toEqual({
      PORT: 8080,
      HOST: '127.0.0.1',
      STORE: 'memory',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: 'gatehouse:',
      REDIS_SENTINELS: [],
      REDIS_SENTINEL_NAME: '',
      REDIS_SENTINEL_USERNAME: '',
      REDIS_SENTINEL_PASSWORD: '',
      REDIS_CLUSTER_NODES: [],
      REDIS_USERNAME: '',
      REDIS_PASSWORD: '',
      REDIS_TLS: false,
      REDIS_TLS_CA: '',
      REDIS_TLS_CERT: '',
      REDIS_TLS_KEY: '',
      TOKEN_KEYS: [],
      TOKEN_TTL: 3600,
      TOKEN_ISSUER: 'gatehouse',
      MAX_SESSIONS_PER_USER: 100,
      TOKEN_CACHE_SIZE: 2000,
      TOKEN_WORKER: true,
      ARGON2_MEMORY_KIB: 19456,
      ARGON2_ITERATIONS: 2,
      ARGON2_PARALLELISM: 1,
      ARGON2_MAX_CONCURRENT: 0,
      ARGON2_MAX_QUEUED: 32,
      ARGON2_NICE: 10,
      LOGIN_FAILURES_PER_ACCOUNT: 10,
      LOGIN_FAILURES_PER_ADDRESS: 50,
      LOGIN_FAILURE_WINDOW: 900,
      BODY_LIMIT: 16384,
      HEADER_LIMIT: 16384,
      HEADERS_TIMEOUT: 10,
      REQUEST_TIMEOUT: 30,
      SHUTDOWN_DELAY: 0,
      SHUTDOWN_GRACE: 10,
      REDIS_DURABILITY: 'warn',
      TRUST_PROXY: false,
      AUTH_TOKEN_HEADER: 'X-Auth-Token',
      INTROSPECTION_CLIENTS: [],
      HEAP_GROWTH_PERCENT: 50,
      SEMI_SPACE_MB: 4,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'auto',
      METRICS_PORT: null,
    });
  });

  test('hardening settings are validated too, including that headers cannot outlast the request', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          LOGIN_FAILURES_PER_ACCOUNT: '0',
          LOGIN_FAILURE_WINDOW: 'forever',
          ARGON2_MAX_QUEUED: '-1',
          HEADERS_TIMEOUT: '60',
          REQUEST_TIMEOUT: '30',
          REDIS_DURABILITY: 'maybe',
        },
      }),
    );
    expect(problems).toEqual([
      'ARGON2_MAX_QUEUED: must be at least 0',
      'LOGIN_FAILURES_PER_ACCOUNT: must be at least 1',
      'LOGIN_FAILURE_WINDOW: must be a whole number',
      'REDIS_DURABILITY: must be "warn" or "require"',
      'HEADERS_TIMEOUT: must not be longer than REQUEST_TIMEOUT (30)',
    ]);
  });

  test('a config file overrides the defaults and the environment overrides the file', () => {
    const key = generateLocalKey();
    const file = configFile({ PORT: 9000, TOKEN_TTL: 600, TOKEN_KEYS: [key], TRUST_PROXY: true });
    const config = loadConfig({ file, env: { TOKEN_TTL: '120', STORE: 'redis' } });
    expect(config).toMatchObject({ PORT: 9000, TOKEN_TTL: 120, STORE: 'redis', TOKEN_KEYS: [key], TRUST_PROXY: true });
  });

  test('GATEHOUSE_CONFIG names the file when no path is given', () => {
    const file = configFile({ HOST: '0.0.0.0' });
    expect(loadConfig({ env: { GATEHOUSE_CONFIG: file } }).HOST).toBe('0.0.0.0');
  });

  test('TOKEN_KEYS from the environment is a comma-separated list', () => {
    const [a, b] = [generateLocalKey(), generateLocalKey()];
    expect(loadConfig({ env: { TOKEN_KEYS: ` ${a}, ${b} ,` } }).TOKEN_KEYS).toEqual([a, b]);
  });

  test('the result is frozen', () => {
    const config = loadConfig({ env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.TOKEN_KEYS)).toBe(true);
  });

  test('every problem is reported at once, each naming its setting', () => {
    const problems = problemsOf(() =>
      loadConfig({
        env: {
          PORT: 'eighty',
          STORE: 'postgres',
          TOKEN_TTL: '5',
          REDIS_URL: 'http://example',
          TRUST_PROXY: 'maybe',
          LOG_LEVEL: 'loud',
          REDIS_PREFIX: 'a{b}',
        },
      }),
    );
    expect(problems).toEqual([
      'PORT: must be a whole number',
      'STORE: must be "memory" or "redis"',
      'REDIS_URL: must be a redis:// or rediss:// URL',
      'REDIS_PREFIX: must be at most 64 characters without spaces or braces',
      'TOKEN_TTL: must be at least 60',
      'TRUST_PROXY: must be true or false (also 1/0, yes/no, on/off)',
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
    ]);
  });

  test('bad token keys are reported by position without echoing the key', () => {
    const good = generateLocalKey();
    const problems = problemsOf(() => loadConfig({ env: { TOKEN_KEYS: `${good},k3.local.short,${good},k4.local.x` } }));
    expect(problems).toEqual([
      'TOKEN_KEYS: entry 2 is not a valid k3.local key (it must encode exactly 32 bytes in base64url)',
      'TOKEN_KEYS: entry 4 is not a PASERK v3 local key (it must start with "k3.local.")',
      'TOKEN_KEYS: the same key is listed twice',
    ]);
  });

  test('the Redis store refuses to start without a token key', () => {
    expect(problemsOf(() => loadConfig({ env: { STORE: 'redis' } }))).toEqual([
      expect.stringMatching(/^TOKEN_KEYS: required when STORE=redis/),
    ]);
  });

  test('a config file that is missing, not JSON, not an object or has unknown settings is reported', () => {
    expect(problemsOf(() => loadConfig({ env: {}, file: join(dir, 'absent.json') }))).toEqual([
      expect.stringMatching(/absent\.json: cannot be read \(ENOENT\)/),
    ]);
    expect(problemsOf(() => loadConfig({ env: {}, file: configFile('{nope') }))).toEqual([
      expect.stringMatching(/: not valid JSON/),
    ]);
    expect(problemsOf(() => loadConfig({ env: {}, file: configFile('[1]') }))).toEqual([
      expect.stringMatching(/must hold a JSON object of settings/),
    ]);
    expect(problemsOf(() => loadConfig({ env: {}, file: configFile({ PROT: 1 }) }))).toEqual([
      expect.stringMatching(/^PROT: unknown setting in /),
    ]);
  });

  describe('sidecar settings', () => {
    const secret = 's3cret-0123456789abcdef';

    test('INTROSPECTION_CLIENTS: "id:secret" entries, comma-separated in the environment', () => {
      const config = loadConfig({ env: { INTROSPECTION_CLIENTS: `billing:${secret}, audit.v2:${secret}x` } });
      expect(config.INTROSPECTION_CLIENTS).toEqual([
        { id: 'billing', secret },
        { id: 'audit.v2', secret: `${secret}x` },
      ]);
      expect(Object.isFrozen(config.INTROSPECTION_CLIENTS)).toBe(true);
    });

    test('INTROSPECTION_CLIENTS: an array in a config file', () => {
      const file = configFile({ INTROSPECTION_CLIENTS: [`billing:${secret}`] });
      expect(loadConfig({ file, env: {} }).INTROSPECTION_CLIENTS).toEqual([{ id: 'billing', secret }]);
    });

    test.each([
      [`billing:short`, 'entry 1 must be "id:secret"'],
      [`billing`, 'entry 1 must be "id:secret"'],
      [`:${secret}`, 'entry 1 must be "id:secret"'],
      [`bill ing:${secret}`, 'entry 1 must be "id:secret"'],
      [`billing:${secret}%`, 'entry 1 must be "id:secret"'],
      [`billing:${secret},billing:${secret}y`, 'entry 2 repeats the client id billing'],
    ])('INTROSPECTION_CLIENTS=%s is refused without echoing the secret', (value, problem) => {
      const problems = problemsOf(() => loadConfig({ env: { INTROSPECTION_CLIENTS: value } }));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`INTROSPECTION_CLIENTS: ${problem}`);
      expect(problems[0]).not.toContain(secret);
      expect(problems[0]).not.toContain('short');
    });

    test('AUTH_TOKEN_HEADER: a header name, or empty to turn it off; never Authorization', () => {
      expect(loadConfig({ env: { AUTH_TOKEN_HEADER: 'X-Token' } }).AUTH_TOKEN_HEADER).toBe('X-Token');
      expect(loadConfig({ env: { AUTH_TOKEN_HEADER: '' } }).AUTH_TOKEN_HEADER).toBe('');
      expect(problemsOf(() => loadConfig({ env: { AUTH_TOKEN_HEADER: 'X Token' } }))).toEqual([
        'AUTH_TOKEN_HEADER: must be an HTTP header name (or empty to turn it off)',
      ]);
      expect(problemsOf(() => loadConfig({ env: { AUTH_TOKEN_HEADER: 'authorization' } }))).toEqual([
        'AUTH_TOKEN_HEADER: must not be Authorization, which is always read',
      ]);
    });
  });
});

const METRICS_PORT_RULE = 'METRICS_PORT: must be a whole number from 0 to 65535, or empty to serve metrics on PORT';

describe('METRICS_PORT', () => {
  test.each([
    ['', null],
    ['9100', 9100],
    [' 9100 ', 9100],
    ['0', 0],
    ['65535', 65535],
  ])('%j is %j', (value, expected) => {
    expect(loadConfig({ env: { METRICS_PORT: value } }).METRICS_PORT).toBe(expected);
  });

  test('none by default (null in config/default.json)', () => {
    expect(loadConfig({ env: {} }).METRICS_PORT).toBeNull();
  });

  test.each(['abc', '70000', '-1', '1.5', ' ', 'true'])('%j: the message says what it accepts', (value) => {
    expect(problemsOf(() => loadConfig({ env: { METRICS_PORT: value } }))).toEqual([METRICS_PORT_RULE]);
  });

  test('equal to PORT is a problem of the configuration', () => {
    expect(problemsOf(() => loadConfig({ env: { PORT: '9000', METRICS_PORT: '9000' } }))).toEqual([
      'METRICS_PORT: must differ from PORT (9000)',
    ]);
    // PORT's default, 8080.
    expect(problemsOf(() => loadConfig({ env: { METRICS_PORT: '8080' } }))).toEqual(['METRICS_PORT: must differ from PORT (8080)']);
  });

  test('both 0 is fine: each listener gets a free port of its own', () => {
    expect(loadConfig({ env: { PORT: '0', METRICS_PORT: '0' } })).toMatchObject({ PORT: 0, METRICS_PORT: 0 });
  });

  test('an invalid PORT is reported alone, not compared', () => {
    expect(problemsOf(() => loadConfig({ env: { PORT: 'eighty', METRICS_PORT: '80' } }))).toEqual(['PORT: must be a whole number']);
  });
});

describe('true/false settings', () => {
  test.each([
    ['1', true],
    ['true', true],
    [' Yes ', true],
    ['ON', true],
    ['0', false],
    ['false', false],
    ['no', false],
    ['off', false],
    ['', false],
  ])('%j is %j', (value, expected) => {
    expect(loadConfig({ env: { TRUST_PROXY: value } }).TRUST_PROXY).toBe(expected);
  });

  test.each(['maybe', '2', 'y'])('%j: the message lists what is accepted', (value) => {
    expect(problemsOf(() => loadConfig({ env: { TRUST_PROXY: value, TOKEN_WORKER: value, REDIS_TLS: value } }))).toEqual([
      'REDIS_TLS: must be true or false (also 1/0, yes/no, on/off)',
      'TOKEN_WORKER: must be true or false (also 1/0, yes/no, on/off)',
      'TRUST_PROXY: must be true or false (also 1/0, yes/no, on/off)',
    ]);
  });
});
