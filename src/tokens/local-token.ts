import { decryptV3Local } from './v3-local';

/**
 * Opening a v3.local token synchronously: framing, authenticated decryption and the claims JSON.
 *
 * Tokens are still made by paseto (token-service.ts). Reading them goes around paseto's Decrypt,
 * because profiling GET /dashboard/ with a new token per request showed its promise chain and
 * its pure-JavaScript base64url (Node 20 has no Uint8Array.fromBase64) costing more than the
 * cryptography: ~35 µs per token against ~17 µs here. The steps are the spec's
 * (Version3.md, "Decrypt"); test/unit/local-token.test.ts checks them against the official
 * vectors and, on generated and mutated tokens, against paseto's own Decrypt.
 */

/** The token is not a well-formed v3.local token, or does not authenticate under the key. */
export class LocalTokenError extends Error {
  override readonly name = 'LocalTokenError';
}

const HEADER = 'v3.local.';
const EMPTY = Buffer.alloc(0);
const utf8 = new TextDecoder('utf-8', { fatal: true });

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Strict base64url (RFC 4648 §5, no padding): only text that re-encodes to itself, i.e. of a
 * length that is not 1 modulo 4 and whose last character carries no bits beyond the data (a
 * check on that character instead of encoding the whole text again).
 */
export function decodeBase64url(text: string, what: string): Buffer {
  const tail = text.length % 4;
  const unused = tail === 2 ? 0x0f : tail === 3 ? 0x03 : 0;
  if (tail === 1 || !BASE64URL.test(text) || (unused !== 0 && (ALPHABET.indexOf(text[text.length - 1]!) & unused) !== 0)) {
    throw new LocalTokenError(`Invalid base64url in ${what}`);
  }
  return Buffer.from(text, 'base64url');
}

/** The two parts of `v3.local.<payload>[.<footer>]`, still encoded; footer '' when absent. */
export function splitLocalToken(token: string): { payload: string; footer: string } {
  if (!token.startsWith(HEADER)) throw new LocalTokenError('Expected a v3.local token');
  const rest = token.slice(HEADER.length);
  const dot = rest.indexOf('.');
  const payload = dot < 0 ? rest : rest.slice(0, dot);
  const footer = dot < 0 ? '' : rest.slice(dot + 1);
  if (payload === '' || (dot >= 0 && footer === '') || footer.includes('.')) throw new LocalTokenError('Malformed token');
  return { payload, footer };
}

/**
 * Decrypts a v3.local token under the key whose HKDF PRK is `prk` and returns its claims object
 * and footer bytes. Throws LocalTokenError when the framing, the MAC, the UTF-8 or the JSON is
 * wrong; claims are not checked here (claims.ts does that).
 */
export function openLocalToken(
  token: string,
  prk: Uint8Array,
  implicit: Uint8Array = EMPTY,
): { claims: Record<string, unknown>; footer: Buffer } {
  const parts = splitLocalToken(token);
  const payload = decodeBase64url(parts.payload, 'token payload');
  const footer = parts.footer === '' ? EMPTY : decodeBase64url(parts.footer, 'token footer');
  let plaintext: Buffer;
  try {
    plaintext = decryptV3Local(prk, payload, footer, implicit);
  } catch (err) {
    throw new LocalTokenError((err as Error).message);
  }
  let claims: unknown;
  try {
    claims = JSON.parse(utf8.decode(plaintext));
  } catch {
    throw new LocalTokenError('Claims are not valid UTF-8 JSON');
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    throw new LocalTokenError('Claims must be a JSON object');
  }
  return { claims: claims as Record<string, unknown>, footer };
}
