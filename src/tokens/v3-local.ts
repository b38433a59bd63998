import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

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
const EMPTY = Buffer.alloc(0);

/** Thrown when a payload is malformed or does not authenticate under the key. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
}

function deriveKeys(key: Uint8Array, nonce: Uint8Array) {
  const tmp = Buffer.from(hkdfSync('sha384', key, EMPTY, Buffer.concat([ENCRYPTION_INFO, nonce]), 48));
  const authKey = Buffer.from(hkdfSync('sha384', key, EMPTY, Buffer.concat([AUTH_INFO, nonce]), 48));
  return { encKey: tmp.subarray(0, 32), counterNonce: tmp.subarray(32, 48), authKey };
}

/** Pre-Authentication Encoding (PASETO spec, "PAE"): LE64(n) then LE64(len) || piece for each. */
export function pae(...pieces: Uint8Array[]): Buffer {
  const out = Buffer.alloc(8 + pieces.reduce((n, p) => n + 8 + p.length, 0));
  out.writeBigUInt64LE(BigInt(pieces.length), 0);
  let offset = 8;
  for (const piece of pieces) {
    out.writeBigUInt64LE(BigInt(piece.length), offset);
    out.set(piece, offset + 8);
    offset += 8 + piece.length;
  }
  return out;
}

function tag(authKey: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, footer: Uint8Array, implicit: Uint8Array) {
  return createHmac('sha384', authKey).update(pae(HEADER, nonce, ciphertext, footer, implicit)).digest();
}

/**
 * Encrypts `message` and returns the token payload n || c || t (not yet base64url encoded).
 * `nonce` is only for the official test vectors; in use it is always 32 fresh random bytes.
 */
export function encryptV3Local(
  key: Uint8Array,
  message: Uint8Array,
  footer: Uint8Array,
  implicit: Uint8Array,
  nonce: Uint8Array = randomBytes(NONCE_BYTES),
): Buffer {
  const { encKey, counterNonce, authKey } = deriveKeys(key, nonce);
  const cipher = createCipheriv('aes-256-ctr', encKey, counterNonce);
  const ciphertext = Buffer.concat([cipher.update(message), cipher.final()]);
  return Buffer.concat([nonce, ciphertext, tag(authKey, nonce, ciphertext, footer, implicit)]);
}

/** Authenticates and decrypts a token payload n || c || t; throws DecryptionError on any failure. */
export function decryptV3Local(key: Uint8Array, payload: Uint8Array, footer: Uint8Array, implicit: Uint8Array): Buffer {
  if (payload.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionError('token payload is too short');
  const nonce = payload.subarray(0, NONCE_BYTES);
  const ciphertext = payload.subarray(NONCE_BYTES, payload.length - TAG_BYTES);
  const received = payload.subarray(payload.length - TAG_BYTES);
  const { encKey, counterNonce, authKey } = deriveKeys(key, nonce);
  // Constant-time comparison of the MAC before any decryption (spec step 7).
  if (!timingSafeEqual(tag(authKey, nonce, ciphertext, footer, implicit), received)) {
    throw new DecryptionError('token does not authenticate');
  }
  const decipher = createDecipheriv('aes-256-ctr', encKey, counterNonce);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}
