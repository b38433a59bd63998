import { LocalDecrypt, LocalEncrypt, LocalProtocol, type Key } from 'paseto';
import { DecryptFactory, ImportKeyFactory } from 'paseto/v3/local';
import { encodeLocalKey } from '../../src/tokens/paserk';
import { hkdfSync, randomBytes } from 'node:crypto';
import { decryptV3Local, DecryptionError, deriveKeys, encryptV3Local, hkdfExtract, pae } from '../../src/tokens/v3-local';
import { loadVectors } from '../helpers/vectors';

interface TokenVector {
  name: string;
  'expect-fail': boolean;
  key?: string;
  nonce?: string;
  token: string;
  payload: string | null;
  footer: string;
  'implicit-assertion': string;
}

const v3 = loadVectors<TokenVector>('v3.json');
const localCases = v3.tests.filter((t) => t.token.startsWith('v3.local.') && !t['expect-fail']);
const failCases = v3.tests.filter((t) => t['expect-fail'] && t.key !== undefined);
const bytes = (s: string) => Buffer.from(s, 'utf8');

/** The base64url payload of a token, between the header and the optional footer. */
function payloadOf(token: string): Buffer {
  return Buffer.from(token.split('.')[2]!, 'base64url');
}

test('the vector file has the v3.local cases this suite relies on', () => {
  expect(localCases.map((t) => t.name)).toEqual(['3-E-1', '3-E-2', '3-E-3', '3-E-4', '3-E-5', '3-E-6', '3-E-7', '3-E-8', '3-E-9']);
  expect(failCases.length).toBeGreaterThanOrEqual(3);
});

describe('v3.local with node:crypto (official vectors)', () => {
  test.each(localCases.map((t) => [t.name, t] as const))('%s: encrypts to exactly the vector token', (_, t) => {
    const payload = encryptV3Local(
      hkdfExtract(Buffer.from(t.key!, 'hex')),
      bytes(t.payload!),
      bytes(t.footer),
      bytes(t['implicit-assertion']),
      Buffer.from(t.nonce!, 'hex'),
    );
    const footer = t.footer === '' ? '' : `.${bytes(t.footer).toString('base64url')}`;
    expect(`v3.local.${payload.toString('base64url')}${footer}`).toBe(t.token);
  });

  test.each(localCases.map((t) => [t.name, t] as const))('%s: decrypts the vector token to its payload', (_, t) => {
    const plain = decryptV3Local(hkdfExtract(Buffer.from(t.key!, 'hex')), payloadOf(t.token), bytes(t.footer), bytes(t['implicit-assertion']));
    expect(plain.toString('utf8')).toBe(t.payload);
  });

  test.each(failCases.map((t) => [t.name, t] as const))('%s: is rejected', async (_, t) => {
    // Through the same paseto protocol object gatehouse uses, so header checks count too.
    interface RawKey extends Key {
      readonly prk: Buffer;
    }
    const protocol = new LocalProtocol(
      LocalDecrypt<3, RawKey>({ version: 3, run: async (k, p, f, i) => decryptV3Local(k.prk, p, f, i) }),
    );
    const key: RawKey = { algorithm: { name: 'raw' }, type: 'secret', extractable: false, prk: hkdfExtract(Buffer.from(t.key!, 'hex')) };
    await expect(
      protocol.Decrypt(key, t.token, { implicitAssertion: bytes(t['implicit-assertion']), allowNonExpiring: true }),
    ).rejects.toThrow();
  });

  test('a flipped bit anywhere in the payload fails authentication', () => {
    const t = localCases[4]!;
    const key = hkdfExtract(Buffer.from(t.key!, 'hex'));
    const payload = payloadOf(t.token);
    for (const index of [0, 40, payload.length - 1]) {
      const tampered = Buffer.from(payload);
      tampered[index]! ^= 1;
      expect(() => decryptV3Local(key, tampered, bytes(t.footer), bytes(t['implicit-assertion']))).toThrow(DecryptionError);
    }
  });

  test('a wrong footer or implicit assertion fails authentication', () => {
    const t = localCases[6]!;
    const key = hkdfExtract(Buffer.from(t.key!, 'hex'));
    expect(() => decryptV3Local(key, payloadOf(t.token), bytes('{}'), bytes(t['implicit-assertion']))).toThrow(DecryptionError);
    expect(() => decryptV3Local(key, payloadOf(t.token), bytes(t.footer), bytes(''))).toThrow(DecryptionError);
  });

  test('hkdfExtract + the one-block expand equal node:crypto hkdfSync (RFC 5869) for random keys and nonces', () => {
    const hkdf = (key: Buffer, info: string, nonce: Buffer) =>
      Buffer.from(hkdfSync('sha384', key, Buffer.alloc(0), Buffer.concat([Buffer.from(info), nonce]), 48));
    for (let i = 0; i < 50; i += 1) {
      const key = randomBytes(32);
      const nonce = randomBytes(32);
      const { encKey, counterNonce, authKey } = deriveKeys(hkdfExtract(key), nonce);
      expect(Buffer.concat([encKey, counterNonce])).toEqual(hkdf(key, 'paseto-encryption-key', nonce));
      expect(authKey).toEqual(hkdf(key, 'paseto-auth-key-for-aead', nonce));
    }
  });

  test('a payload shorter than nonce and tag is rejected', () => {
    expect(() => decryptV3Local(Buffer.alloc(32), Buffer.alloc(79), Buffer.alloc(0), Buffer.alloc(0))).toThrow(/too short/);
  });

  test('tokens it encrypts are decrypted by paseto’s own WebCrypto implementation', async () => {
    interface RawKey extends Key {
      readonly prk: Buffer;
    }
    const material = Buffer.alloc(32, 7);
    const ours = new LocalProtocol(
      LocalEncrypt<3, RawKey>({ version: 3, run: async (k, m, f, i) => encryptV3Local(k.prk, m, f, i) }),
    );
    const token = await ours.Encrypt(
      { algorithm: { name: 'raw' }, type: 'secret', extractable: false, prk: hkdfExtract(material) },
      { sub: 'alice' },
      { footer: bytes('{"kid":"x"}') },
    );
    const theirs = new LocalProtocol(DecryptFactory, ImportKeyFactory);
    const key = await theirs.ImportKey(encodeLocalKey(material));
    await expect(theirs.Decrypt(key, token)).resolves.toMatchObject({ claims: { sub: 'alice' } });
  });
});

describe('pae', () => {
  // The examples of the PASETO spec (docs/01-Protocol-Versions/Common.md, "PAE").
  test.each([
    [[], '0000000000000000'],
    [[''], '01000000000000000000000000000000'],
    [['test'], `0100000000000000040000000000000074657374`],
    [['a', 'bc'], `020000000000000001000000000000006102000000000000006263`],
  ])('PAE(%j)', (pieces, hex) => {
    expect(pae(...pieces.map((p) => Buffer.from(p))).toString('hex')).toBe(hex);
  });
});
