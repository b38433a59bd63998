import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * PASETO v3.local authenticated encryption with synchronous node:crypto
 * (https://github.com/paseto-standard/paseto-spec/blob/master/docs/01-Protocol-Versions/Version3.md).
 *
 * paseto's built-in v3 implementation goes through WebCrypto: six thread-pool round trips per
 * token. These are the same primitives called synchronously, plugged into paseto's protocol
 * object (see token-service.ts), which still does the token framing and the claim checks.
 * Proven byte for byte against the official vectors in test/unit/v3-local.test.ts.
 */

const HEADER = Buffer.from('v3.local.');
const ENCRYPTION_INFO = Buffer.from('paseto-encryption-key');
const AUTH_INFO = Buffer.from('paseto-auth-key-for-aead');
const NONCE_BYTES = 32;
const TAG_BYTES = 48;
const BLOCK_1 = Buffer.from([1]);

/** Thrown when a payload is malformed or does not authenticate under the key. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
}

/**
 * HKDF-SHA384 (RFC 5869) split in its two halves. Extract, PRK = HMAC(salt = 48 zero bytes, key),
 * depends only on the key: done once per key. Expand for the 48 bytes PASETO asks for is a
 * single block, T(1) = HMAC(PRK, info || 0x01). Same output as hkdfSync, without re-importing the
 * key and re-extracting for every token (that was a third of the time of a verify).
 */
export function hkdfExtract(key: Uint8Array): Buffer {
  return createHmac('sha384', Buffer.alloc(48)).update(key).digest();
}

function hkdfExpand48(prk: Uint8Array, info: Uint8Array, nonce: Uint8Array): Buffer {
  return createHmac('sha384', prk).update(info).update(nonce).update(BLOCK_1).digest();
}

/** The per-token keys of spec steps 3 and 4: Ek, n2 (the CTR nonce) and Ak. */
export function deriveKeys(prk: Uint8Array, nonce: Uint8Array) {
  const tmp = hkdfExpand48(prk, ENCRYPTION_INFO, nonce);
  return { encKey: tmp.subarray(0, 32), counterNonce: tmp.subarray(32, 48), authKey: hkdfExpand48(prk, AUTH_INFO, nonce) };
}

/** Pre-Authentication Encoding (PASETO spec, "PAE"): LE64(n) then LE64(len) || piece for each. */
export function pae(...pieces: Uint8Array[]): Buffer {
  const out = Buffer.alloc(8 + pieces.reduce((n, p) => n + 8 + p.length, 0));
  le64(out, pieces.length, 0);
  let offset = 8;
  for (const piece of pieces) {
    le64(out, piece.length, offset);
    out.set(piece, offset + 8);
    offset += 8 + piece.length;
  }
  return out;
}

/** An unsigned 64-bit little-endian length (the spec's LE64), without a BigInt per call. */
function le64(out: Buffer, value: number, offset: number): void {
  out.writeUInt32LE(value >>> 0, offset);
  out.writeUInt32LE(Math.floor(value / 2 ** 32), offset + 4);
}

function tag(authKey: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, footer: Uint8Array, implicit: Uint8Array) {
  return createHmac('sha384', authKey).update(pae(HEADER, nonce, ciphertext, footer, implicit)).digest();
}

/**
 * Encrypts `message` under the key whose HKDF PRK is `prk` (see hkdfExtract) and returns the
 * token payload n || c || t (not yet base64url encoded). `nonce` is only for the official test
 * vectors; in use it is always 32 fresh random bytes.
 */
export function encryptV3Local(
  prk: Uint8Array,
  message: Uint8Array,
  footer: Uint8Array,
  implicit: Uint8Array,
  nonce: Uint8Array = randomBytes(NONCE_BYTES),
): Buffer {
  const { encKey, counterNonce, authKey } = deriveKeys(prk, nonce);
  const cipher = createCipheriv('aes-256-ctr', encKey, counterNonce);
  const ciphertext = Buffer.concat([cipher.update(message), cipher.final()]);
  return Buffer.concat([nonce, ciphertext, tag(authKey, nonce, ciphertext, footer, implicit)]);
}

/** Authenticates and decrypts a payload n || c || t under `prk`; throws DecryptionError on any failure. */
export function decryptV3Local(prk: Uint8Array, payload: Uint8Array, footer: Uint8Array, implicit: Uint8Array): Buffer {
  if (payload.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionError('token payload is too short');
  const nonce = payload.subarray(0, NONCE_BYTES);
  const ciphertext = payload.subarray(NONCE_BYTES, payload.length - TAG_BYTES);
  const received = payload.subarray(payload.length - TAG_BYTES);
  const { encKey, counterNonce, authKey } = deriveKeys(prk, nonce);
  // Constant-time comparison of the MAC before any decryption (spec step 7).
  if (!timingSafeEqual(tag(authKey, nonce, ciphertext, footer, implicit), received)) {
    throw new DecryptionError('token does not authenticate');
  }
  const decipher = createDecipheriv('aes-256-ctr', encKey, counterNonce);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}
