import supertest from 'supertest';
import { createApp } from '../../src/app';
import { createOpenApiDocument } from '../../src/openapi/document';
import { documentOptions } from '../../src/openapi/options';
import type { Document } from '../../src/openapi/types';
import { StoreUnavailableError, type Store } from '../../src/store/store';
import { basic, createTestApp, login, registerAndLogin, storeKinds, type TestApp } from '../helpers/app';
import type { Exchange } from '../helpers/openapi-checker';
import { checkedCallback, checkerFor } from '../helpers/openapi-recorder';

/**
 * The other half of keeping the document true: every status it documents for an operation is
 * one the operation really gives. Each operation is driven through each of its answers (every
 * response is also checked against the document, as in every HTTP test); a generic 500 is
 * required only of operations that use the store (those that document a 503).
 */

const SECRET = 'billing-secret-0123456789abcdef';
const PASSWORD = 'correct horse battery';
const BIG = { username: 'x', password: 'y'.repeat(20_000) };

type Agent = () => supertest.Agent;
interface Ctx {
  /** The normal app, and the same app over a store that is down, that fails, or loses a race. */
  ok: Agent;
  down: Agent;
  broken: Agent;
  racing: Agent;
  /** "Bearer <alice's token>" */
  bearer: string;
  t: TestApp;
}
type Method = 'get' | 'post' | 'put' | 'delete';
type Scenario = (c: Ctx) => Promise<unknown>;

const twice = (value: string) => [value, value] as unknown as string;
const client = basic('billing', SECRET);

/** 200, 400 (two Authorization headers), 401 (no token), 503, 500: the answers of every bearer route. */
const bearerAnswers = (method: Method, path: string, last?: Scenario): Scenario => async (c) => {
  await c.ok()[method](path).set('Authorization', twice(c.bearer));
  await c.ok()[method](path);
  await c.down()[method](path).set('Authorization', c.bearer);
  await c.broken()[method](path).set('Authorization', c.bearer);
  await (last ?? ((x: Ctx) => x.ok()[method](path).set('Authorization', x.bearer)))(c);
};

/** 413 and 415 for a route that parses a body. */
const bodyAnswers = async (c: Ctx, method: Method, path: string, auth?: string) => {
  const req = () => (auth === undefined ? c.ok()[method](path) : c.ok()[method](path).set('Authorization', auth));
  await req().send(BIG);
  await req().set('Content-Type', 'text/plain').send('token=abc');
};

const clientAnswers = (path: string): Scenario => async (c) => {
  const token = c.bearer.slice('Bearer '.length);
  await c.ok().post(path).set('Authorization', client).type('form').send({});
  await c.ok().post(path).type('form').send({ token });
  await bodyAnswers(c, 'post', path, client);
  await c.down().post(path).set('Authorization', client).type('form').send({ token });
  await c.broken().post(path).set('Authorization', client).type('form').send({ token });
  await c.ok().post(path).set('Authorization', client).type('form').send({ token });
};

const logoutAnswers = (method: Method): Scenario =>
  bearerAnswers(method, '/logout/', async (c) => {
    await c.ok()[method]('/logout/?scope=everything').set('Authorization', c.bearer);
    await c.ok()[method]('/logout/?scope=global').set('Authorization', `Bearer ${await login(c.t)}`);
    await c.ok()[method]('/logout/').set('Authorization', `Bearer ${await login(c.t)}`);
  });

const SCENARIOS: Record<string, Scenario> = {
  'GET /': (c) => c.ok().get('/'),
  'GET /healthz': (c) => c.ok().get('/healthz'),
  'GET /readyz': async (c) => {
    await c.ok().get('/readyz');
    await c.down().get('/readyz');
    await c.broken().get('/readyz');
  },
  'GET /metrics': (c) => c.ok().get('/metrics'),
  'GET /openapi.json': (c) => c.ok().get('/openapi.json'),
  'GET /docs': (c) => c.ok().get('/docs'),
  'GET /docs/{asset}': async (c) => {
    const first = await c.ok().get('/docs/swagger-initializer.js');
    await c.ok().get('/docs/swagger-initializer.js').set('If-None-Match', first.headers.etag!);
    await c.ok().get('/docs/nothing.js');
  },
  'POST /register': async (c) => {
    await c.ok().post('/register/').field('username', 'carol').field('password', PASSWORD);
    await c.ok().post('/register/').field('username', 'carol');
    await c.ok().post('/register/').send({ username: 'Alice', password: PASSWORD });
    await bodyAnswers(c, 'post', '/register/');
    await c.down().post('/register/').send({ username: 'dave', password: PASSWORD });
    await c.broken().post('/register/').send({ username: 'dave', password: PASSWORD });
  },
  'POST /login': async (c) => {
    await c.ok().post('/login/').set('Authorization', basic('alice', PASSWORD));
    await c.ok().post('/login/').set('Authorization', twice(basic('alice', PASSWORD)));
    await c.down().post('/login/').set('Authorization', basic('alice', PASSWORD));
    await c.broken().post('/login/').set('Authorization', basic('alice', PASSWORD));
    // LOGIN_FAILURES_PER_ACCOUNT (2 here) wrong passwords, then the throttle answers 429.
    await c.ok().post('/login/').set('Authorization', basic('alice', 'a wrong password'));
    await c.ok().post('/login/').set('Authorization', basic('alice', 'a wrong password'));
    await c.ok().post('/login/').set('Authorization', basic('alice', PASSWORD));
  },
  'GET /dashboard': bearerAnswers('get', '/dashboard/'),
  'GET /logout': logoutAnswers('get'),
  'POST /logout': logoutAnswers('post'),
  'GET /auth/verify': bearerAnswers('get', '/auth/verify'),
  'POST /auth/verify': bearerAnswers('post', '/auth/verify'),
  'GET /auth/verify/{rest}': bearerAnswers('get', '/auth/verify/api/things'),
  'POST /auth/verify/{rest}': bearerAnswers('post', '/auth/verify/api/things'),
  'POST /oauth2/introspect': clientAnswers('/oauth2/introspect'),
  'POST /oauth2/revoke': clientAnswers('/oauth2/revoke'),
  'GET /sessions': bearerAnswers('get', '/sessions/'),
  'DELETE /sessions': bearerAnswers('delete', '/sessions/'),
  'DELETE /sessions/{jti}': bearerAnswers('delete', '/sessions/AAAAAAAAAAAAAAAAAAAAAA', async (c) => {
    await c.ok().delete('/sessions/AAAAAAAAAAAAAAAAAAAAAA').set('Authorization', c.bearer);
    const other = await c.t.deps.tokens.verify(await login(c.t), new Date(c.t.clock.now));
    await c.ok().delete(`/sessions/${other.jti}`).set('Authorization', c.bearer);
  }),
  'PUT /password': bearerAnswers('put', '/password/', async (c) => {
    const change = { current_password: PASSWORD, new_password: 'an entirely new passphrase' };
    await c.ok().put('/password/').set('Authorization', c.bearer).send({ current_password: PASSWORD });
    await c.ok().put('/password/').set('Authorization', c.bearer).send({ ...change, current_password: 'not my password' });
    await bodyAnswers(c, 'put', '/password/', c.bearer);
    await c.racing().put('/password/').set('Authorization', c.bearer).send(change);
    await c.ok().put('/password/').set('Authorization', c.bearer).send(change);
    // LOGIN_FAILURES_PER_ACCOUNT (2 here) wrong passwords, then the throttle answers 429.
    await c.ok().put('/password/').set('Authorization', c.bearer).send({ ...change, current_password: 'not my password' });
    await c.ok().put('/password/').set('Authorization', c.bearer).send({ ...change, current_password: 'not my password' });
    await c.ok().put('/password/').set('Authorization', c.bearer).send(change);
  }),
  'DELETE /account': bearerAnswers('delete', '/account/', async (c) => {
    await c.ok().delete('/account/').set('Authorization', c.bearer).send({});
    await c.ok().delete('/account/').set('Authorization', c.bearer).send({ password: 'not my password' });
    await c.ok().delete('/account/').set('Authorization', c.bearer).send({ password: 'not my password' });
    await c.ok().delete('/account/').set('Authorization', c.bearer).send({ password: PASSWORD });
    await c.t.deps.throttle.succeeded('alice', '127.0.0.1'); // the account's count starts again
    await bodyAnswers(c, 'delete', '/account/', c.bearer);
    await c.ok().delete('/account/').set('Authorization', c.bearer).send({ password: PASSWORD });
  }),
};

/** The store with some methods replaced. */
function overridden(store: Store, replace: (name: string) => ((...args: unknown[]) => Promise<unknown>) | undefined): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      return (typeof value === 'function' && replace(String(key))) || value;
    },
  });
}

/** Every documented "OPERATION → status" that must be seen: all but 500 on routes that never touch the store. */
function documentedAnswers(document: Document): string[] {
  const answers: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (typeof operation !== 'object' || !('responses' in operation)) continue;
      const statuses = Object.keys(operation.responses);
      for (const status of statuses) {
        if (status === '500' && !statuses.includes('503')) continue;
        answers.push(`${method.toUpperCase()} ${path} → ${status}`);
      }
    }
  }
  return answers.sort();
}

describe.each(storeKinds)('every answer the OpenAPI document lists is real (%s store)', (kind) => {
  let c: Ctx;
  let seen: Exchange[];
  let document: Document;

  beforeEach(async () => {
    const t = await createTestApp(kind, { INTROSPECTION_CLIENTS: `billing:${SECRET}`, LOGIN_FAILURES_PER_ACCOUNT: '2' });
    document = createOpenApiDocument(documentOptions(t.deps.config));
    seen = [];
    const agent = (store: Store): Agent => {
      const callback = checkedCallback(createApp({ ...t.deps, store }).callback(), t.deps, (e) => seen.push(e));
      return () => supertest.agent(callback);
    };
    c = {
      t,
      bearer: `Bearer ${await registerAndLogin(t, 'alice', PASSWORD)}`,
      ok: agent(t.deps.store),
      down: agent(overridden(t.deps.store, () => () => Promise.reject(new StoreUnavailableError('down')))),
      broken: agent(overridden(t.deps.store, () => () => Promise.reject(new Error('the disk is on fire')))),
      racing: agent(overridden(t.deps.store, (name) => (name === 'changePassword' ? async () => false : undefined))),
    };
  });
  afterEach(() => c.t.close());

  test('every operation of the document has a scenario here', () => {
    const operations = [...new Set(documentedAnswers(document).map((a) => a.split(' → ')[0]))].sort();
    expect(Object.keys(SCENARIOS).sort()).toEqual(operations);
  });

  test.each(Object.keys(SCENARIOS))('%s gives every status it documents', async (operation) => {
    await SCENARIOS[operation]!(c);
    const checker = checkerFor(c.t.deps);
    const observed = new Set(seen.filter((e) => checker.operationOf(e) === operation).map((e) => `${operation} → ${e.status}`));
    const expected = documentedAnswers(document).filter((a) => a.startsWith(`${operation} → `));
    expect([...observed].sort()).toEqual(expected);
  });
});
