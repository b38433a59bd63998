import fc from 'fast-check';

/**
 * Generators of hostile HTTP requests for the fuzz tests, as raw bytes so that nothing is
 * normalised on the way (supertest and fetch would refuse or fix much of this).
 */
export interface RawInput {
  readonly method: string;
  readonly path: string;
  readonly headers: readonly (readonly [string, string | Buffer])[];
  readonly body?: Buffer;
  /** Send this instead of building a request: for request lines and headers the parser must refuse. */
  readonly raw?: Buffer;
}

/** The request as bytes; Content-Length is added for a body unless the input sets its own. */
export function toBytes(input: RawInput): Buffer {
  if (input.raw !== undefined) return input.raw;
  const lines: Buffer[] = [Buffer.from(`${input.method} ${input.path} HTTP/1.1\r\nHost: gatehouse.test\r\nConnection: close\r\n`, 'latin1')];
  for (const [name, value] of input.headers) lines.push(Buffer.from(`${name}: `, 'latin1'), Buffer.from(value as string, 'latin1'), Buffer.from('\r\n'));
  const hasLength = input.headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name));
  if (input.body !== undefined && !hasLength) lines.push(Buffer.from(`Content-Length: ${input.body.length}\r\n`));
  lines.push(Buffer.from('\r\n'));
  if (input.body !== undefined) lines.push(input.body);
  return Buffer.concat(lines);
}

const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes as Uint8Array).toString('base64');
const anyText = fc.string({ unit: 'grapheme', maxLength: 80 });
const binaryText = fc.string({ unit: 'binary', maxLength: 80 });
const controlText = fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 8 });
const headerBytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));
const huge = fc.integer({ min: 9_000, max: 40_000 });

/** Malformed (and a few well-formed, wrong) Basic credentials. */
const basicValue: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 120 }).map((bytes) => `Basic ${b64(bytes)}`), // invalid UTF-8, no colon, anything
  fc.tuple(anyText, anyText).map(([u, p]) => `Basic ${b64(Buffer.from(`${u}:${p}`))}`),
  fc.tuple(binaryText, binaryText).map(([u, p]) => `Basic ${b64(Buffer.from(`${u}:${p}`))}`), // lone surrogates
  fc.tuple(controlText, anyText).map(([c, p]) => `Basic ${b64(Buffer.from(`ali${c}ce:${p}`))}`),
  fc.tuple(fc.constantFrom('alice', 'ALICE', 'Alice', 'nobody'), anyText).map(([u, p]) => `Basic ${b64(Buffer.from(`${u}:${p}`))}`),
  anyText.filter((s) => !s.includes(':')).map((s) => `Basic ${b64(Buffer.from(s))}`),
  fc.string({ unit: fc.constantFrom(...'ABCxyz0189+/=-_.!~ %'.split('')), maxLength: 60 }).map((s) => `Basic ${s}`),
  fc.tuple(fc.constantFrom('Basic', 'basic', 'BASIC', 'Basic ', 'Basic\t', 'Basi', 'Digest', 'Bearer', ''), fc.uint8Array({ maxLength: 40 })).map(
    ([scheme, bytes]) => `${scheme} ${b64(bytes)}`,
  ),
  huge.map((n) => `Basic ${'QUFB'.repeat(Math.ceil(n / 4))}`),
  headerBytes(1, 60).map((bytes) => Buffer.concat([Buffer.from('Basic '), bytes])), // obs-text, control bytes
);

/** Malformed and tampered bearer tokens; `token` is a live one that must never be accepted altered. */
export function bearerValue(token: string): fc.Arbitrary<string | Buffer> {
  const body = token.length - 2; // leave the last characters of the token alone (base64 padding bits)
  return fc.oneof(
    anyText.map((s) => `Bearer ${s}`),
    fc.base64String({ maxLength: 200 }).map((s) => `Bearer v3.local.${s}`),
    fc.tuple(fc.integer({ min: 9, max: body }), fc.constantFrom(...'AQZaqz09-_.~+/='.split(''))).map(([i, c]) => {
      const altered = token.slice(0, i) + (token[i] === c ? (c === 'A' ? 'B' : 'A') : c) + token.slice(i + 1);
      return `Bearer ${altered}`;
    }),
    fc.integer({ min: 1, max: token.length - 1 }).map((n) => `Bearer ${token.slice(0, n)}`),
    fc.string({ unit: fc.constantFrom(...'aZ9._~+/-='.split('')), minLength: 1, maxLength: 8 }).map((s) => `Bearer ${token}${s}`),
    fc.constantFrom(`Bearer  ${token} x`, `Bearer\t${token}`, `Bearer${token}`, `Token ${token}`, 'Bearer', 'Bearer ', `Bearer ${token},${token}`),
    huge.map((n) => `Bearer v3.local.${'A'.repeat(n)}`),
    headerBytes(1, 60).map((bytes) => Buffer.concat([Buffer.from('Bearer '), bytes])),
  );
}

/** Several Authorization headers on one request. */
const severalAuthorizations = (value: fc.Arbitrary<string | Buffer>) => fc.array(value, { minLength: 2, maxLength: 4 });

export function loginInputs(): fc.Arbitrary<RawInput> {
  return fc.oneof(
    { weight: 4, arbitrary: basicValue.map((v): RawInput => ({ method: 'POST', path: '/login/', headers: [['Authorization', v]] })) },
    {
      weight: 1,
      arbitrary: severalAuthorizations(basicValue).map((vs): RawInput => ({
        method: 'POST',
        path: '/login/',
        headers: vs.map((v) => ['Authorization', v] as const),
      })),
    },
  );
}

export function bearerInputs(token: string): fc.Arbitrary<RawInput> {
  const route = fc.constantFrom(['GET', '/dashboard/'], ['GET', '/logout/'], ['POST', '/logout/'], ['GET', '/dashboard']);
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(route, bearerValue(token)).map(([[method, path], v]): RawInput => ({ method: method!, path: path!, headers: [['Authorization', v]] })) },
    {
      weight: 1,
      arbitrary: fc.tuple(route, severalAuthorizations(bearerValue(token))).map(([[method, path], vs]): RawInput => ({
        method: method!,
        path: path!,
        headers: vs.map((v) => ['Authorization', v] as const),
      })),
    },
  );
}

const fieldNames = fc.constantFrom('username', 'password', 'first_name', 'last_name', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'username[]', 'password[x]', '');
const wrongValues = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('a', 'short', 'password', 'Password1', 'alice', 'x'.repeat(129), 'é'.repeat(200), '\u0000\u0001', '\ud800abcdefgh'),
  fc.string({ minLength: 8, maxLength: 40 }),
  fc.integer({ min: 65, max: 20_000 }).map((n) => 'y'.repeat(n)),
);
// Object keys spelled out by hand: JSON.stringify would drop a real __proto__ key.
const jsonObject = fc.array(fc.tuple(fc.oneof(fieldNames, anyText), wrongValues), { maxLength: 6 }).map(
  (entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`,
);
const formBody = fc.array(fc.tuple(fc.oneof(fieldNames, anyText), fc.oneof(anyText, fc.constantFrom('%', '%ZZ', '%FF%FE', '%C3%28', 'a%00b', '+'))), { maxLength: 6 }).map(
  (entries) => entries.map(([k, v]) => `${encodeURIComponent(k)}=${v.startsWith('%') || v === '+' ? v : encodeURIComponent(v)}`).join('&'),
);
const multipartBody = fc
  .array(fc.tuple(fc.oneof(fieldNames, anyText), fc.oneof(anyText.map((s) => Buffer.from(s)), headerBytes(0, 40)), fc.boolean()), { maxLength: 5 })
  .map((parts) =>
    Buffer.concat([
      ...parts.map(([name, value, file]) =>
        Buffer.concat([
          Buffer.from(`--XyZ\r\nContent-Disposition: form-data; name="${name.replace(/"/g, '')}"${file ? '; filename="f.txt"' : ''}\r\n\r\n`),
          value,
          Buffer.from('\r\n'),
        ]),
      ),
      Buffer.from('--XyZ--\r\n'),
    ]),
  );

const contentTypes = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=XyZ',
    'multipart/form-data',
    'text/plain',
    'application/xml',
    'application/octet-stream',
    'application/vnd.api+json',
    'application/csp-report',
    '*/*',
    '',
  ),
  anyText,
);

export function bodyInputs(): fc.Arbitrary<RawInput> {
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
    fc.json({ maxDepth: 3 }).map((s) => Buffer.from(s)),
    jsonObject.map((s) => Buffer.from(s)),
    formBody.map((s) => Buffer.from(s)),
    multipartBody,
    huge.map((n) => Buffer.from(JSON.stringify({ username: 'bigbody', password: 'z'.repeat(n) }))),
  );
  return fc.tuple(contentTypes, body).map(([type, content]): RawInput => ({
    method: 'POST',
    path: '/register/',
    headers: type === '' ? [] : [['Content-Type', type]],
    body: content,
  }));
}

/** Request lines and headers that are not HTTP, or barely: the parser's and the router's edge. */
export function protocolInputs(): fc.Arbitrary<RawInput> {
  const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT', 'HEAD', 'FOO', 'get'), fc.string({ unit: 'grapheme-ascii', maxLength: 10 }));
  const path = fc.oneof(
    fc.constantFrom('/login/', '/register/', '/dashboard/', '/logout/', '/x', '*', 'http://evil.test/', '/%00', '/..%2f..', '/register/?a[]=1&__proto__[x]=1', '//login'),
    fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
  );
  const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'http/1.1', '');
  const headerLine = fc.oneof(
    fc.tuple(fc.string({ unit: 'grapheme-ascii', maxLength: 20 }), fc.string({ unit: 'grapheme-ascii', maxLength: 40 })).map(([n, v]) => Buffer.from(`${n}: ${v}\r\n`)),
    headerBytes(0, 60).map((b) => Buffer.concat([Buffer.from('X-Bytes: '), b, Buffer.from('\r\n')])),
    fc.constantFrom(
      'Transfer-Encoding: chunked\r\n',
      'Transfer-Encoding: gzip, chunked\r\n',
      'Content-Length: -1\r\n',
      'Content-Length: 99999999999999999999\r\n',
      'Content-Length: 1\r\nContent-Length: 1\r\n',
      'Expect: 100-continue\r\n',
      'Upgrade: websocket\r\nConnection: Upgrade\r\n',
      'Host: a\r\nHost: b\r\n',
      ' folded: continuation\r\n',
    ).map((s) => Buffer.from(s)),
    huge.map((n) => Buffer.from(`X-Huge: ${'h'.repeat(n)}\r\n`)),
  );
  return fc.tuple(method, path, version, fc.array(headerLine, { maxLength: 4 }), fc.uint8Array({ maxLength: 100 })).map(
    ([m, p, v, lines, tail]): RawInput => ({
      method: m,
      path: p,
      headers: [],
      raw: Buffer.concat([Buffer.from(`${m} ${p} ${v}\r\nHost: gatehouse.test\r\nConnection: close\r\n`, 'latin1'), ...lines, Buffer.from('\r\n'), Buffer.from(tail)]),
    }),
  );
}
