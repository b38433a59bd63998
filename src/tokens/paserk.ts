import { createHash, randomBytes } from 'node:crypto';

/**
 * PASERK serialisation of v3.local keys (`k3.local.<base64url>`) and their key ids (`k3.lid.`).
 * https://github.com/paseto-standard/paserk/blob/master/types/local.md and .../types/lid.md
 *
 * Done with node:crypto rather than paseto's PASERK capabilities because those are async
 * WebCrypto wrappers around the same two lines, and the keyring must stay synchronous for the
 * node:crypto v3.local implementation; the official k3 vectors prove this file.
 */

export type LocalPaserk = `k3.local.${string}`;
export type LocalKeyId = `k3.lid.${string}`;

const LOCAL_PREFIX = 'k3.local.';
const LID_PREFIX = 'k3.lid.';
const KEY_BYTES = 32;

/** Decodes a `k3.local.` PASERK into its 32 key bytes; throws an Error saying what is wrong. */
export function decodeLocalKey(paserk: string): Buffer {
  if (!paserk.startsWith(LOCAL_PREFIX)) {
    throw new Error('is not a PASERK v3 local key (it must start with "k3.local.")');
  }
  const data = paserk.slice(LOCAL_PREFIX.length);
  const bytes = /^[A-Za-z0-9_-]*$/.test(data) ? Buffer.from(data, 'base64url') : Buffer.alloc(0);
  // Re-encoding must give the same text: rejects padding, stray bits and other lenient forms.
  if (bytes.length !== KEY_BYTES || bytes.toString('base64url') !== data) {
    throw new Error(`is not a valid k3.local key (it must encode exactly ${KEY_BYTES} bytes in base64url)`);
  }
  return bytes;
}

/** Serialises 32 key bytes as a `k3.local.` PASERK. */
export function encodeLocalKey(key: Uint8Array): LocalPaserk {
  if (key.length !== KEY_BYTES) throw new Error(`a v3.local key must be ${KEY_BYTES} bytes`);
  return `${LOCAL_PREFIX}${Buffer.from(key).toString('base64url')}`;
}

/** The PASERK id of a k3.local key: "k3.lid." + base64url(SHA-384("k3.lid." + paserk)[0..33]). */
export function localKeyId(paserk: string): LocalKeyId {
  decodeLocalKey(paserk);
  const digest = createHash('sha384').update(LID_PREFIX).update(paserk).digest().subarray(0, 33);
  return `${LID_PREFIX}${digest.toString('base64url')}`;
}

/** A fresh random k3.local key. */
export function generateLocalKey(): LocalPaserk {
  return encodeLocalKey(randomBytes(KEY_BYTES));
}
