import { LocalProtocol } from 'paseto';
import { KeyIDFactory } from 'paseto/v3/local';
import { decodeLocalKey, encodeLocalKey, generateLocalKey, localKeyId } from '../../src/tokens/paserk';
import { loadVectors } from '../helpers/vectors';

interface PaserkVector {
  name: string;
  'expect-fail': boolean;
  key: string | null;
  paserk: string | null;
}

const local = loadVectors<PaserkVector>('k3.local.json');
const lid = loadVectors<PaserkVector>('k3.lid.json');

describe('PASERK k3.local (official vectors)', () => {
  test.each(local.tests.filter((t) => !t['expect-fail']).map((t) => [t.name, t] as const))(
    '%s: encodes the key to the PASERK and decodes it back',
    (_, t) => {
      expect(encodeLocalKey(Buffer.from(t.key!, 'hex'))).toBe(t.paserk);
      expect(decodeLocalKey(t.paserk!).toString('hex')).toBe(t.key);
    },
  );

  test.each(local.tests.filter((t) => t['expect-fail']).map((t) => [t.name, t] as const))(
    '%s: is refused',
    (_, t) => {
      expect(() => decodeLocalKey(t.paserk!)).toThrow(/k3\.local/);
    },
  );

  test('a key with padding or non-canonical base64url is refused', () => {
    const good = local.tests[1]!.paserk!;
    expect(() => decodeLocalKey(`${good}=`)).toThrow(/exactly 32 bytes/);
    expect(() => decodeLocalKey(good.replace(/.$/, 'p'))).toThrow(/exactly 32 bytes/);
    expect(() => decodeLocalKey(good.replace('k3.', 'k4.'))).toThrow(/must start with "k3.local."/);
  });
});

describe('PASERK k3.lid (official vectors)', () => {
  test.each(lid.tests.filter((t) => !t['expect-fail']).map((t) => [t.name, t] as const))(
    '%s: derives the key id',
    (_, t) => {
      expect(localKeyId(encodeLocalKey(Buffer.from(t.key!, 'hex')))).toBe(t.paserk);
    },
  );

  test.each(lid.tests.filter((t) => t['expect-fail']).map((t) => [t.name, t] as const))(
    '%s: a key of the wrong length has no id',
    (_, t) => {
      expect(() => encodeLocalKey(Buffer.from(t.key!, 'hex'))).toThrow(/32 bytes/);
    },
  );

  test('agrees with the paseto library’s own k3.lid for a generated key', async () => {
    const v3 = new LocalProtocol(KeyIDFactory);
    const key = generateLocalKey();
    await expect(v3.KeyID(key)).resolves.toBe(localKeyId(key));
  });
});

test('generateLocalKey makes distinct, valid keys', () => {
  const a = generateLocalKey();
  const b = generateLocalKey();
  expect(a).not.toBe(b);
  expect(decodeLocalKey(a)).toHaveLength(32);
});
