import { createTestApp, type TestApp } from '../helpers/app';
import type { Exchange } from '../helpers/openapi-checker';
import { checkerFor } from '../helpers/openapi-recorder';

/**
 * The checker every HTTP test's responses go through must catch what does not match the
 * document, or it would pass everything: made-up responses that break it in each way.
 */

const REQUEST_ID = { 'x-request-id': 'req-1', 'cache-control': 'no-store' };
const json = (body: unknown) => Buffer.from(JSON.stringify(body));
const exchange = (over: Partial<Exchange>): Exchange => ({
  method: 'GET',
  url: '/dashboard/',
  status: 200,
  headers: { ...REQUEST_ID, 'content-type': 'application/json; charset=utf-8' },
  body: json({ msg: 'successfully requested user info', data: { username: 'alice', first_name: null, last_name: null } }),
  ...over,
});
const unauthorized = { msg: 'a bearer token is required', data: null, error: 'missing_token' };

describe('the OpenAPI response checker', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('memory');
  });
  afterAll(() => t.close());

  test('passes a response that matches, with or without the trailing slash and for HEAD', () => {
    const checker = checkerFor(t.deps);
    expect(checker.problems(exchange({}))).toEqual([]);
    expect(checker.problems(exchange({ url: '/dashboard' }))).toEqual([]);
    expect(checker.problems(exchange({ method: 'HEAD', body: Buffer.alloc(0) }))).toEqual([]);
    expect(checker.operationOf(exchange({ url: '/auth/verify/a/b' }))).toBe('GET /auth/verify/{rest}');
    expect(checker.operationOf(exchange({ url: '/auth/verify' }))).toBe('GET /auth/verify');
  });

  test.each<[string, Partial<Exchange>, RegExp]>([
    ['an undocumented status', { status: 418 }, /status 418 is not documented for GET \/dashboard/],
    ['a body that breaks the schema', { body: json({ msg: 'successfully requested user info', data: {} }) }, /body does not match/],
    ['a field the schema does not allow', { body: json({ msg: 'successfully requested user info', data: null, extra: 1 }) }, /body does not match/],
    ['another content type', { headers: { ...REQUEST_ID, 'content-type': 'text/html' } }, /Content-Type "text\/html" is not documented/],
    ['a missing required header', { headers: { 'content-type': 'application/json' } }, /required header X-Request-Id is missing/],
    [
      'a 401 without WWW-Authenticate',
      { status: 401, body: json(unauthorized) },
      /required header WWW-Authenticate is missing/,
    ],
    [
      'a 401 with an error code the route does not give',
      { status: 401, headers: { ...REQUEST_ID, 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="gatehouse"' }, body: json({ ...unauthorized, error: 'wrong_password' }) },
      /body does not match/,
    ],
    ['a body on HEAD', { method: 'HEAD' }, /the body should be empty/],
    ['a 200 for an unknown path', { url: '/nowhere' }, /expected 404 \(NotFound\)/],
    [
      'a 405 whose Allow differs from the document',
      { method: 'PUT', status: 405, headers: { ...REQUEST_ID, allow: 'GET', 'content-type': 'application/json' }, body: json({ msg: 'x', data: null, error: 'method_not_allowed' }) },
      /Allow is "GET" but the document has GET, HEAD/,
    ],
  ])('flags %s', (_, over, problem) => {
    const problems = checkerFor(t.deps).problems(exchange(over));
    expect(problems.join('\n')).toMatch(problem);
  });
});

describe('real OPTIONS, 405 and 404 answers match the document\'s shared responses', () => {
  test('OPTIONS lists the documented methods; another method is a 405; an unknown path a 404', async () => {
    const t = await createTestApp('memory');
    const options = await t.request().options('/sessions/');
    expect([options.status, options.headers.allow]).toEqual([200, 'HEAD, GET, DELETE']);
    const other = await t.request().patch('/auth/verify/some/path');
    expect([other.status, other.headers.allow]).toEqual([405, 'HEAD, GET, POST']);
    expect((await t.request().get('/no/such/thing')).status).toBe(404);
    // The checks of this file's afterEach (test/helpers/openapi-recorder.ts) judge these answers.
    await t.close();
  });
});
