import fc from 'fast-check';
import { LocalProtocol } from 'paseto';
import { DecryptFactory, ImportKeyFactory } from 'paseto/v3/local';
import { checkRegisteredClaims, claimTime, ClaimError } from '../../src/tokens/claims';
import { decodeBase64url, LocalTokenError, openLocalToken } from '../../src/tokens/local-token';
import { encodeLocalKey } from '../../src/tokens/paserk';
import { encryptV3Local, hkdfExtract } from '../../src/tokens/v3-local';
import { loadVectors } from '../helpers/vectors';

interface TokenVector {
  name: string;
  'expect-fail': boolean;
  key?: string;
  token: string;
  payload: string | null;
  footer: string;
  'implicit-assertion': string;
}

const vectors = loadVectors<TokenVector>('v3.json').tests;
const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('openLocalToken against the official v3 vectors', () => {
  const good = vectors.filter((t) => t.token.startsWith('v3.local.') && !t['expect-fail']);
  test.each(good.map((t) => [t.name, t] as const))('%s: opens to the vector payload and footer', (_, t) => {
    const { claims, footer } = openLocalToken(t.token, hkdfExtract(Buffer.from(t.key!, 'hex')), bytes(t['implicit-assertion']));
    expect(claims).toEqual(JSON.parse(t.payload!));
    expect(footer.toString('utf8')).toBe(t.footer);
  });

  const bad = vectors.filter((t) => t['expect-fail'] && t.key !== undefined);
  test.each(bad.map((t) => [t.name, t] as const))('%s: is refused', (_, t) => {
    expect(() => openLocalToken(t.token, hkdfExtract(Buffer.from(t.key!, 'hex')), bytes(t['implicit-assertion']))).toThrow(
      LocalTokenError,
    );
  });
});

/**
 * The same verdict as paseto's own Decrypt (WebCrypto implementation, issuer and time checks),
 * on tokens whose plaintext, framing and claims are generated, then mutated at random: the
 * synchronous reader must accept exactly what paseto accepts, with the same claims.
 */
describe('openLocalToken + checkRegisteredClaims agree with paseto’s Decrypt', () => {
  const keyBytes = Buffer.alloc(32, 9);
  const prk = hkdfExtract(keyBytes);
  const paseto = new LocalProtocol(DecryptFactory, ImportKeyFactory);
  const pasetoKey = paseto.ImportKey(encodeLocalKey(keyBytes));
  const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
  const ISSUER = 'gatehouse';

  const date = fc.oneof(
    // valid, around NOW, with and without fractions and offsets
    fc.integer({ min: -7200, max: 7200 }).map((s) => new Date(NOW + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')),
    fc.integer({ min: -7200, max: 7200 }).map((s) => new Date(NOW + s * 1000).toISOString()),
    fc.tuple(fc.integer({ min: -3600, max: 3600 }), fc.constantFrom('+01:00', '-05:30', '+00:00')).map(([s, off]) =>
      new Date(NOW + s * 1000).toISOString().replace(/\.\d{3}Z$/, off),
    ),
    // malformed or impossible
    fc.constantFrom('2026-02-30T00:00:00Z', '2026-11-29 12:00:00Z', '2026-11-29T24:00:00Z', 'yesterday', '', '2026-11-29T12:00:00'),
    fc.integer(),
  );
  const claims = fc.record(
    {
      sub: fc.oneof(fc.string(), fc.integer()),
      jti: fc.string(),
      iss: fc.oneof(fc.constant(ISSUER), fc.constant('someone-else'), fc.integer()),
      exp: date,
      iat: date,
      nbf: date,
      aud: fc.oneof(fc.string(), fc.boolean()),
    },
    { requiredKeys: [] },
  );
  const plaintext = fc.oneof(
    { weight: 8, arbitrary: claims.map((c) => bytes(JSON.stringify(c))) },
    { weight: 1, arbitrary: fc.constantFrom(bytes('[1,2]'), bytes('null'), bytes('"text"'), bytes('{bad json')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)) },
  );
  const footer = fc.oneof(fc.constant(''), fc.constant('{"kid":"k3.lid.x"}'), fc.string({ maxLength: 20 }));
  const mutation = fc.oneof(
    { weight: 6, arbitrary: fc.constant((t: string) => t) },
    { weight: 2, arbitrary: fc.nat().map((i) => (t: string) => {
      const at = 9 + (i % (t.length - 9));
      return t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);
    }) },
    { weight: 1, arbitrary: fc.nat().map((i) => (t: string) => t.slice(0, 9 + (i % (t.length - 9)))) },
    { weight: 1, arbitrary: fc.constantFrom((t: string) => `${t}=`, (t: string) => t.replace('v3.', 'v4.'), (t: string) => `${t}.x`) },
  );

  test('on 3,000 generated and mutated tokens', async () => {
    const key = await pasetoKey;
    await fc.assert(
      fc.asyncProperty(plaintext, footer, mutation, fc.integer({ min: -3600, max: 3600 }), async (message, foot, mutate, skew) => {
        const footerBytes = bytes(foot);
        const body = encryptV3Local(prk, message, footerBytes, Buffer.alloc(0)).toString('base64url');
        const token = mutate(`v3.local.${body}${foot === '' ? '' : `.${footerBytes.toString('base64url')}`}`);
        const now = NOW + skew * 1000;

        let ours: unknown;
        try {
          const opened = openLocalToken(token, prk);
          checkRegisteredClaims(opened.claims, ISSUER, now);
          ours = opened.claims;
        } catch (err) {
          if (!(err instanceof LocalTokenError || err instanceof ClaimError)) throw err;
          ours = 'refused';
        }
        let theirs: unknown;
        try {
          theirs = (await paseto.Decrypt(key, token, { issuer: ISSUER, now: new Date(now) })).claims;
        } catch {
          theirs = 'refused';
        }
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('claimTime', () => {
  // Date.parse reads ECMAScript's date-time format, which these all are, year 0000 to 9999 as written.
  test.each([
    '2026-11-29T12:00:00Z',
    '2026-11-29T12:00:00.5Z',
    '2024-02-29T23:59:59.999+05:30',
    '1969-12-31T23:59:59-00:30',
    '0099-12-31T23:59:59Z',
    '0050-06-15T08:00:00.250Z',
    '0000-02-29T00:00:00Z',
    '0004-02-29T12:00:00+01:00',
  ])('reads %s as Date.parse does', (value) => {
    expect(claimTime({ exp: value }, 'exp')).toBe(Date.parse(value));
  });

  test('takes fractions beyond milliseconds, truncated', () => {
    expect(claimTime({ iat: '2026-11-29T12:00:00.123456789Z' }, 'iat')).toBe(Date.parse('2026-11-29T12:00:00.123Z'));
  });

  test.each(['0001-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-11-29T12:60:00Z'])('refuses %s', (value) => {
    expect(() => claimTime({ nbf: value }, 'nbf')).toThrow(ClaimError);
  });
});

describe('decodeBase64url', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  test('accepts exactly the texts that re-encode to themselves', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...alphabet, '=', '+', '/', ' '), maxLength: 12 }), (text) => {
        const canonical = /^[A-Za-z0-9_-]*$/.test(text) && Buffer.from(text, 'base64url').toString('base64url') === text;
        let accepted: Buffer | null = null;
        try {
          accepted = decodeBase64url(text, 'x');
        } catch (err) {
          expect(err).toBeInstanceOf(LocalTokenError);
        }
        expect(accepted !== null).toBe(canonical);
        if (accepted !== null) expect(accepted.toString('base64url')).toBe(text);
      }),
      { numRuns: 20000 },
    );
  });
});
