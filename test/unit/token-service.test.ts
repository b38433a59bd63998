import { LocalProtocol } from 'paseto';
import { DecryptFactory, EncryptFactory, ImportKeyFactory } from 'paseto/v3/local';
import { Keyring } from '../../src/tokens/keyring';
import { generateLocalKey, localKeyId } from '../../src/tokens/paserk';
import { createTokenReader } from '../../src/tokens/read-token';
import { createTokenService, TokenError } from '../../src/tokens/token-service';

const NOW = new Date('2026-11-29T12:00:00.250Z');
const at = (secondsLater: number) => new Date(NOW.getTime() + secondsLater * 1000);
const oldKey = generateLocalKey();
const newKey = generateLocalKey();
const service = (keys: string[], ttl = 3600, issuer = 'gatehouse') =>
  createTokenService({ keyring: new Keyring(keys), ttl, issuer });

describe('token service', () => {
  test('issues a v3.local token whose claims are sub, a 128-bit jti, iat, exp and iss, with the kid in the footer', async () => {
    const { token, claims } = await service([oldKey]).issue('alice', NOW);
    expect(token).toMatch(/^v3\.local\.[\w-]+\.[\w-]+$/);
    const footer = JSON.parse(Buffer.from(token.split('.')[3]!, 'base64url').toString());
    expect(footer).toEqual({ kid: localKeyId(oldKey) });
    expect(Buffer.from(claims.jti, 'base64url')).toHaveLength(16);
    expect(claims).toEqual({ sub: 'alice', jti: claims.jti, iat: 1795953600, exp: 1795953600 + 3600 });

    // Readable by any PASETO v3 implementation that holds the key (here: paseto's WebCrypto one).
    const v3 = new LocalProtocol(DecryptFactory, ImportKeyFactory);
    const { claims: raw } = await v3.Decrypt(await v3.ImportKey(oldKey as `k3.local.${string}`), token, { now: NOW });
    expect(raw).toEqual({ sub: 'alice', jti: claims.jti, iss: 'gatehouse', iat: '2026-11-29T12:00:00Z', exp: '2026-11-29T13:00:00Z' });
  });

  test('accepts a token made by paseto’s own implementation, whatever the spacing of its footer JSON', async () => {
    const v3 = new LocalProtocol(EncryptFactory, ImportKeyFactory);
    const key = await v3.ImportKey(oldKey as `k3.local.${string}`);
    const footer = Buffer.from(`{ "kid" : "${localKeyId(oldKey)}" }`);
    const token = await v3.Encrypt(key, { sub: 'carol', jti: 'j'.repeat(22), iss: 'gatehouse' }, { footer, now: NOW });
    await expect(service([oldKey]).verify(token, NOW)).resolves.toEqual({
      sub: 'carol',
      jti: 'j'.repeat(22),
      iat: Math.floor(NOW.getTime() / 1000),
      exp: Math.floor(NOW.getTime() / 1000) + 3600,
    });
  });

  test('every token gets a different jti', async () => {
    const s = service([oldKey]);
    const jtis = new Set<string>();
    for (let i = 0; i < 100; i += 1) jtis.add((await s.issue('alice', NOW)).claims.jti);
    expect(jtis.size).toBe(100);
  });

  test('verify returns the claims of a valid token until its expiry', async () => {
    const s = service([oldKey], 60);
    const { token, claims } = await s.issue('alice', NOW);
    await expect(s.verify(token, NOW)).resolves.toEqual(claims);
    await expect(s.verify(token, at(59))).resolves.toEqual(claims);
    await expect(s.verify(token, at(61))).rejects.toThrow(/expired/);
  });

  test('verify refuses a token from another issuer', async () => {
    const { token } = await service([oldKey], 60, 'someone-else').issue('alice', NOW);
    await expect(service([oldKey]).verify(token, NOW)).rejects.toThrow(TokenError);
  });

  test('key rotation: with the new key first, old tokens still verify by kid and new tokens use the new key', async () => {
    const before = service([oldKey]);
    const rotated = service([newKey, oldKey]);
    const { token: old } = await before.issue('alice', NOW);
    const { token: fresh } = await rotated.issue('bob', NOW);
    await expect(rotated.verify(old, NOW)).resolves.toMatchObject({ sub: 'alice' });
    await expect(rotated.verify(fresh, NOW)).resolves.toMatchObject({ sub: 'bob' });
    expect(JSON.parse(Buffer.from(fresh.split('.')[3]!, 'base64url').toString()).kid).toBe(localKeyId(newKey));
    // Once the old key is dropped, its tokens are refused.
    await expect(service([newKey]).verify(old, NOW)).rejects.toThrow(/key id is unknown/);
  });

  test('a token whose footer names our key but that was made with another key is refused', async () => {
    const forger = createTokenService({ keyring: new Keyring([newKey]), ttl: 60, issuer: 'gatehouse' });
    const { token } = await forger.issue('mallory', NOW);
    const [version, purpose, payload] = token.split('.');
    const footer = Buffer.from(JSON.stringify({ kid: localKeyId(oldKey) })).toString('base64url');
    await expect(service([oldKey]).verify([version, purpose, payload, footer].join('.'), NOW)).rejects.toThrow(
      /does not authenticate/,
    );
  });

  test.each([
    ['empty', ''],
    ['another version', 'v4.local.AAAA.BBBB'],
    ['a public token', 'v3.public.AAAA.BBBB'],
    ['no footer', 'v3.local.AAAAAAAA'],
    ['padding', 'v3.local.AAAA=.BBBB'],
    ['a footer that is not JSON', `v3.local.AAAA.${Buffer.from('nope').toString('base64url')}`],
    ['a footer without kid', `v3.local.AAAA.${Buffer.from('{"x":1}').toString('base64url')}`],
    ['a huge token', `v3.local.${'A'.repeat(5000)}.AAAA`],
  ])('verify refuses %s with a TokenError', async (_, token) => {
    await expect(service([oldKey]).verify(token, NOW)).rejects.toBeInstanceOf(TokenError);
  });

  describe('with a cache of verified tokens', () => {
    const cachedService = () => createTokenService({ keyring: new Keyring([oldKey]), ttl: 60, issuer: 'gatehouse', cacheSize: 2 });

    test('a repeated token gives the same claims', async () => {
      const s = cachedService();
      const { token, claims } = await s.issue('alice', NOW);
      const first = await s.verify(token, NOW);
      const second = await s.verify(token, at(10));
      const third = await s.verify(token, at(30));
      expect(first).toEqual(claims);
      expect(second).toEqual(claims);
      expect(third).toBe(second);
    });

    test('a token is remembered from its second verification on, and a token seen once displaces nothing', async () => {
      const read: string[] = [];
      const keyring = new Keyring([oldKey]);
      const reader = createTokenReader(keyring.keys, 'gatehouse');
      const s = createTokenService({ keyring, ttl: 60, issuer: 'gatehouse', cacheSize: 2, reader: async (token, now) => (read.push(token), reader(token, now)) });
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((name) => s.issue(name, NOW).then((t) => t.token)));
      const verify = async (...tokens: (string | undefined)[]) => {
        for (const token of tokens) await expect(s.verify(token!, NOW)).resolves.toMatchObject({ sub: expect.any(String) });
      };
      await verify(a, a, a);
      expect(read).toEqual([a, a]);
      await verify(b, a); // b once: not remembered, so a (cached) stays
      expect(read).toEqual([a, a, b]);
      await verify(b, b); // b again: remembered now
      expect(read).toEqual([a, a, b, b]);
      await verify(c, c, c); // c remembered on its second reading; a, least recently used, gives way
      expect(read).toEqual([a, a, b, b, c, c]);
      await verify(b, c, a);
      expect(read).toEqual([a, a, b, b, c, c, a]);
    });

    test('a cached token is still refused after its expiry, exactly as an uncached one', async () => {
      const s = cachedService();
      const { token, claims } = await s.issue('alice', NOW);
      await s.verify(token, NOW);
      const expiry = claims.exp * 1000;
      for (const verifier of [s, service([oldKey], 60)]) {
        await expect(verifier.verify(token, new Date(expiry))).resolves.toMatchObject({ sub: 'alice' });
        await expect(verifier.verify(token, new Date(expiry + 1))).rejects.toThrow('token rejected: Token has expired');
      }
    });

    test('refused tokens are not remembered, and evicted tokens still verify', async () => {
      const s = cachedService();
      const tokens = await Promise.all([1, 2, 3].map(() => s.issue('bob', NOW).then((t) => t.token)));
      for (const token of tokens) await s.verify(token, NOW);
      for (const token of tokens) await expect(s.verify(token, NOW)).resolves.toMatchObject({ sub: 'bob' });
      const tampered = `${tokens[0]!.slice(0, 40)}${tokens[0]![40] === 'A' ? 'B' : 'A'}${tokens[0]!.slice(41)}`;
      await expect(s.verify(tampered, NOW)).rejects.toThrow(TokenError);
      await expect(s.verify(tampered, NOW)).rejects.toThrow(TokenError);
    });
  });

  test('a tampered token is refused', async () => {
    const s = service([oldKey]);
    const { token } = await s.issue('alice', NOW);
    const parts = token.split('.');
    const payload = Buffer.from(parts[2]!, 'base64url');
    payload[50]! ^= 1;
    parts[2] = payload.toString('base64url');
    await expect(s.verify(parts.join('.'), NOW)).rejects.toThrow(/does not authenticate/);
  });
});
