import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { createApp } from '../../src/app';
import { createTestApp, storeKinds, type TestApp } from '../helpers/app';
import supertest from 'supertest';
import { VERSION } from '../../src/version';
import { SECURITY_HEADERS } from '../helpers/security-headers';

/** For superagent's serialize: a Buffer body goes out as it is (with a JSON type it would be JSON-encoded). */
const asSent = (body: unknown) => body as string;

describe.each(storeKinds)('HTTP protocol behaviour (%s store)', (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp(kind);
  });
  afterEach(() => t.close());

  test('GET / answers a small banner with the name and version', async () => {
    const res = await t.request().get('/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ msg: 'gatehouse is running', data: { name: 'gatehouse', version: VERSION } });
  });

  test('an unknown path: 404 in the envelope', async () => {
    const res = await t.request().get('/nowhere');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ msg: 'no route for GET /nowhere', data: null, error: 'not_found' });
  });

  test.each([
    ['PUT', '/dashboard/', 'HEAD, GET'],
    ['DELETE', '/login/', 'POST'],
    ['GET', '/register/', 'POST'],
    ['PATCH', '/logout/', 'HEAD, GET, POST'],
  ])('%s %s: 405 with Allow: %s', async (method, path, allow) => {
    const res = await t.request()[method.toLowerCase() as 'put'](path);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.body).toEqual({ msg: `${method} is not allowed here; allowed: ${allow}`, data: null, error: 'method_not_allowed' });
  });

  test('security headers are on every response, errors included, and there is no X-Powered-By', async () => {
    const responses = [
      await t.request().get('/'),
      await t.request().get('/nowhere'),
      await t.request().put('/dashboard/'),
      await t.request().get('/dashboard/'),
      await t.request().post('/register/').set('Content-Type', 'application/json').send('{bad'),
    ];
    for (const res of responses) {
      expect(res.headers).toMatchObject(SECURITY_HEADERS);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  test('an unsupported content type: 415 naming the accepted ones', async () => {
    const res = await t.request().post('/register/').set('Content-Type', 'text/plain').send('username=alice');
    expect(res.status).toBe(415);
    expect(res.body).toEqual({
      msg: 'the request body must be one of: application/json, application/x-www-form-urlencoded, multipart/form-data',
      data: null,
      error: 'unsupported_media_type',
    });
  });

  /** POST /register/ with a body of `type` in the content coding `coding`, sent as it is. */
  const registerCoded = (type: string, coding: string, body: Buffer) =>
    t.request().post('/register/').set('Content-Type', type).set('Content-Encoding', coding).serialize(asSent).send(body);

  test.each([
    ['gzip', 'gzip', (b: Buffer) => gzipSync(b)],
    ['gzip, named in capitals (codings are case-insensitive)', 'GZIP', (b: Buffer) => gzipSync(b)],
    ['deflate', 'deflate', (b: Buffer) => deflateSync(b)],
    ['br', 'br', (b: Buffer) => brotliCompressSync(b)],
    ['identity', 'identity', (b: Buffer) => b],
  ])('a JSON body in %s: 201, and the user is stored', async (_, coding, encode) => {
    const res = await registerCoded('application/json', coding, encode(Buffer.from(JSON.stringify({ username: 'alice', password: 'correct horse battery' }))));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ msg: 'successfully created user profile', data: null });
    expect(await t.store.findUser('alice')).toMatchObject({ username: 'alice' });
  });

  test('a form body in gzip: 201', async () => {
    const res = await registerCoded('application/x-www-form-urlencoded', 'gzip', gzipSync(Buffer.from('username=alice&password=correct+horse+battery')));
    expect(res.status).toBe(201);
    expect(await t.store.findUser('alice')).toMatchObject({ username: 'alice' });
  });

  test.each(['compress', 'zstd', 'gzip, br'])('a body in the content coding "%s": 415 listing the codings taken, in the message and Accept-Encoding', async (coding) => {
    const res = await registerCoded('application/json', coding, Buffer.from('{"username":"alice","password":"correct horse battery"}'));
    expect(res.status).toBe(415);
    expect(res.headers['accept-encoding']).toBe('gzip, deflate, br');
    expect(res.body).toEqual({
      msg: "the request body's Content-Encoding must be one of: gzip, deflate, br (or none)",
      data: null,
      error: 'unsupported_media_type',
    });
    expect(await t.store.findUser('alice')).toBeNull();
  });

  test('a multipart body with a Content-Encoding: 415, multipart is taken only as sent', async () => {
    const res = await registerCoded('multipart/form-data; boundary=xyz', 'gzip', gzipSync(Buffer.from('--xyz\r\nContent-Disposition: form-data; name="username"\r\n\r\nalice\r\n--xyz--\r\n')));
    expect(res.status).toBe(415);
    expect(res.headers['accept-encoding']).toBe('identity');
    expect(res.body).toEqual({ msg: 'this request body must not have a Content-Encoding', data: null, error: 'unsupported_media_type' });
  });

  test('a small gzip body that inflates past BODY_LIMIT: 413, nothing stored', async () => {
    const password = 'x'.repeat(200_000);
    const packed = gzipSync(Buffer.from(JSON.stringify({ username: 'alice', password })));
    expect(packed.length).toBeLessThan(16_384);
    const res = await registerCoded('application/json', 'gzip', packed);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'payload_too_large' });
    expect(await t.store.findUser('alice')).toBeNull();
  });

  test.each(['gzip', 'deflate', 'br'])('a body that claims %s but is not: 400 naming the coding, nothing stored', async (coding) => {
    const res = await registerCoded('application/json', coding, Buffer.from('{"username":"alice","password":"correct horse battery"}'));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ msg: `the request body is not valid ${coding} data (its Content-Encoding)`, data: null, error: 'malformed_body' });
    expect(await t.store.findUser('alice')).toBeNull();
  });

  test('JSON that is valid once inflated but broken: 400 "not valid JSON", not a coding error', async () => {
    const res = await registerCoded('application/json', 'gzip', gzipSync(Buffer.from('{"username": "alice", ')));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ msg: 'the request body is not valid JSON', data: null, error: 'malformed_body' });
  });

  test('a body with no content type: 415', async () => {
    const res = await t.request().post('/register/').set('Content-Type', '').send(Buffer.from('abc'));
    expect(res.status).toBe(415);
  });

  test('malformed JSON: 400 "not valid JSON", nothing stored', async () => {
    const res = await t.request().post('/register/').set('Content-Type', 'application/json').send('{"username": "alice", ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ msg: 'the request body is not valid JSON', data: null, error: 'malformed_body' });
    expect(await t.store.findUser('alice')).toBeNull();
  });

  test.each(['"just a string"', 'null', '42', 'true', ' "padded" '])('valid JSON that is not an object (%s): 400 "must be an object of fields", nothing stored', async (body) => {
    const res = await t.request().post('/register/').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ msg: 'the request body must be an object of fields', data: null, error: 'malformed_body' });
    expect(await t.store.findUser('alice')).toBeNull();
  });

  test('a JSON array body: 400 "must be an object of fields"', async () => {
    const res = await t.request().post('/register/').send([{ username: 'alice', password: 'long enough' }]);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ msg: 'the request body must be an object of fields', data: null, error: 'malformed_body' });
  });

  test('a JSON body with a __proto__ key is refused and pollutes nothing', async () => {
    const res = await t
      .request()
      .post('/register/')
      .set('Content-Type', 'application/json')
      .send('{"username":"alice","password":"long enough","__proto__":{"polluted":true}}');
    expect(res.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await t.store.findUser('alice')).toBeNull();
  });

  test('a multipart body with a file: 400, files are not accepted', async () => {
    const res = await t
      .request()
      .post('/register/')
      .field('username', 'alice')
      .attach('password', Buffer.from('long enough'), 'password.txt');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ msg: 'file uploads are not accepted; send text fields only', data: null, error: 'malformed_body' });
  });

  test('a broken multipart body: 400 malformed_body', async () => {
    const res = await t.request().post('/register/').set('Content-Type', 'multipart/form-data; boundary=xyz').send('garbage');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ msg: 'the multipart body is malformed', data: null, error: 'malformed_body' });
  });

  test.each([
    ['JSON', (r: supertest.Test) => r.send({ username: 'alice', password: 'x'.repeat(20_000) })],
    ['a form', (r: supertest.Test) => r.type('form').send({ username: 'alice', password: 'x'.repeat(20_000) })],
    ['multipart', (r: supertest.Test) => r.field('username', 'alice').field('password', 'x'.repeat(20_000))],
  ])('%s body over BODY_LIMIT: 413 with the limit in the message', async (_, send) => {
    const res = await send(t.request().post('/register/'));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      msg: 'the request body is larger than the limit of 16384 bytes',
      data: null,
      error: 'payload_too_large',
    });
    expect(await t.store.findUser('alice')).toBeNull();
  });

  test('a chunked multipart body (no Content-Length) with a field over the limit: 413', async () => {
    const server = createServer(t.app.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const body = `--zz\r\nContent-Disposition: form-data; name="password"\r\n\r\n${'x'.repeat(20_000)}\r\n--zz--\r\n`;
    const req = request({
      port: (server.address() as AddressInfo).port,
      method: 'POST',
      path: '/register/',
      headers: { 'Content-Type': 'multipart/form-data; boundary=zz', 'Transfer-Encoding': 'chunked' },
    });
    req.write(body.slice(0, 1000));
    req.end(body.slice(1000));
    const [res] = (await once(req, 'response')) as [IncomingMessage];
    let text = '';
    for await (const chunk of res) text += String(chunk);
    server.close();
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(text)).toMatchObject({ error: 'payload_too_large' });
  });
});

test('an error thrown inside a route is a generic 500, logged, and the app keeps serving', async () => {
  const t = await createTestApp('memory');
  const failing = createApp({
    ...t.deps,
    store: { ...t.deps.store, findUser: () => Promise.reject(new Error('disk on fire: secret detail')) },
  });
  const res = await supertest(failing.callback()).post('/register/').send({ username: 'alice', password: 'long enough' });
  expect(res.status).toBe(500);
  expect(res.body).toEqual({ msg: 'internal server error', data: null, error: 'internal_error' });
  expect(res.headers['cache-control']).toBe('no-store');
  expect(t.logs.join('')).toContain('disk on fire');
  await supertest(failing.callback()).get('/').expect(200);
  await t.close();
});
