import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { LocalEncrypt, LocalProtocol, type Key } from 'paseto';
import type { Keyring, TokenKey } from './keyring';
import { checkTokenSyntax, createTokenReader, footerOf, TokenError, type TokenClaims } from './read-token';
import { createSeenBefore } from './seen-before';
import { encryptV3Local } from './v3-local';

export { TokenError, type TokenClaims } from './read-token';

export interface IssuedToken {
  readonly token: string;
  readonly claims: TokenClaims;
}

export interface TokenService {
  /** Issues a token for `subject` valid from `now` for the configured TTL. */
  issue(subject: string, now: Date): Promise<IssuedToken>;
  /** Decrypts and checks a token (key id, authenticity, issuer, expiry); throws TokenError. */
  verify(token: string, now: Date): Promise<TokenClaims>;
}

/** Reads tokens somewhere else than on the caller's thread (token-worker.ts); same contract as TokenReader. */
export type AsyncTokenReader = (token: string, now: number) => Promise<TokenClaims>;

export interface TokenServiceOptions {
  keyring: Keyring;
  /** Lifetime of new tokens in seconds. */
  ttl: number;
  issuer: string;
  /**
   * How many verified tokens to remember (0: none). A repeated token then skips decryption; its
   * expiry is still checked on every call, and revocation is the caller's store check. A token
   * is remembered from its second verification on (seen-before.ts).
   */
  cacheSize?: number;
  /** Where tokens not in the cache are decrypted; on the calling thread when absent. */
  reader?: AsyncTokenReader;
}

/** paseto's key shape around our raw key bytes, for the node:crypto implementation below. */
interface NodeLocalKey extends Key {
  readonly algorithm: { readonly name: 'PASETO v3.local (node:crypto)' };
  readonly type: 'secret';
  readonly prk: Buffer;
}

// Tokens are made by paseto (claims, framing, footer) with our synchronous cryptography plugged
// in; they are read by read-token.ts, which follows paseto's rules without its promise chain
// (see local-token.ts for the measurements).
const v3 = new LocalProtocol(
  LocalEncrypt<3, NodeLocalKey>({
    version: 3,
    run: async (key, message, footer, implicit) => encryptV3Local(key.prk, message, footer, implicit),
  }),
);

export function createTokenService({ keyring, ttl, issuer, cacheSize = 0, reader }: TokenServiceOptions): TokenService {
  // Keyed by the exact token text: a token maps to the same claims for the life of the keyring.
  const verified = cacheSize > 0 ? new LRUCache<string, TokenClaims>({ max: cacheSize }) : null;
  // Four to eight slots per cached token: a token seen again after as many others as the cache
  // holds is still known 78 to 88 % of the time (the table forgets by overwriting).
  const seenBefore = verified === null ? null : createSeenBefore(4 * cacheSize);
  const readHere = createTokenReader(keyring.keys, issuer);
  const read: AsyncTokenReader = reader ?? (async (token, now) => readHere(token, now));
  const pasetoKeys = new Map<string, NodeLocalKey>();
  const pasetoKey = (key: TokenKey): NodeLocalKey => {
    let wrapped = pasetoKeys.get(key.id);
    if (wrapped === undefined) {
      wrapped = Object.freeze({
        algorithm: { name: 'PASETO v3.local (node:crypto)' } as const,
        type: 'secret' as const,
        extractable: false,
        prk: key.prk,
      });
      pasetoKeys.set(key.id, wrapped);
    }
    return wrapped;
  };

  return {
    async issue(subject, now) {
      const key = keyring.current;
      const jti = randomBytes(16).toString('base64url');
      const footer = footerOf(key.id);
      const token = await v3.Encrypt(pasetoKey(key), { sub: subject, jti, iss: issuer }, { footer, expiresIn: ttl, now });
      const iat = Math.floor(now.getTime() / 1000);
      return { token, claims: { sub: subject, jti, iat, exp: iat + ttl } };
    },

    async verify(token, now) {
      const cached = verified?.get(token);
      if (cached !== undefined) {
        if (now.getTime() > cached.exp * 1000) throw new TokenError('token rejected: Token has expired');
        return cached;
      }
      checkTokenSyntax(token);
      const result = Object.freeze(await read(token, now.getTime()));
      if (seenBefore?.(token) === true) verified?.set(token, result);
      return result;
    },
  };
}
