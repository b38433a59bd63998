import { randomBytes } from 'node:crypto';
import { createSeenBefore } from '../../src/tokens/seen-before';

// The shape of a v3.local token: a 32-byte random nonce first, then ciphertext, tag and footer.
const token = () => `v3.local.${randomBytes(100).toString('base64url')}.eyJraWQiOiJrMy5saWQuZm9vIn0`;

test('a token is new the first time and seen the next', () => {
  const seen = createSeenBefore(1024);
  const t = token();
  expect(seen(t)).toBe(false);
  expect(seen(t)).toBe(true);
  expect(seen(t)).toBe(true);
});

test('distinct tokens are new, each of them is seen when offered again, in any order', () => {
  // 20 tokens in 2^22 slots: two share a slot (and the test fails) about once in 22,000 runs.
  const seen = createSeenBefore(1 << 22);
  const tokens = Array.from({ length: 20 }, token);
  expect(tokens.map(seen).filter(Boolean)).toEqual([]);
  expect([...tokens].reverse().map(seen).every(Boolean)).toBe(true);
});

test('a small table forgets: a token offered again after many others is new again', () => {
  const seen = createSeenBefore(2);
  const first = token();
  seen(first);
  for (let i = 0; i < 100; i += 1) seen(token());
  expect(seen(first)).toBe(false);
});

test('a token is known by its nonce: only a different nonce makes a different token', () => {
  const seen = createSeenBefore(1024);
  const t = token();
  seen(t);
  // Same nonce, different ciphertext: the same hash (a collision only admits a token early).
  expect(seen(`${t.slice(0, 40)}${t[40] === 'A' ? 'B' : 'A'}${t.slice(41)}`)).toBe(true);
  expect(seen(`${t.slice(0, 12)}${t[12] === 'A' ? 'B' : 'A'}${t.slice(13)}`)).toBe(false);
});
