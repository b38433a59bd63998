import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { LocalEncrypt, LocalProtocol, type Key } from 'paseto';
import { checkRegisteredClaims, ClaimError } from './claims';
import type { Keyring, TokenKey } from './keyring';
import { LocalTokenError, openLocalToken, splitLocalToken } from './local-token';
import { encryptV3Local } from './v3-local';

/** The claims gatehouse puts in every token. Times are whole seconds since the epoch. */
export interface TokenClaims {
  /** Username (lowercase). */
  readonly sub: string;
  /** Random token id (128 bits, base64url): the session id. */
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

export interface IssuedToken {
  readonly token: string;
  readonly claims: TokenClaims;
}

/** Why a token was refused; the message is safe to log (it never contains the token). */
export class TokenError extends Error {
  override readonly name = 'TokenError';
}

export interface TokenService {
  /** Issues a token for `subject` valid from `now` for the configured TTL. */
  issue(subject: string, now: Date): Promise<IssuedToken>;
  /** Decrypts and checks a token (key id, authenticity, issuer, expiry); throws TokenError. */
  verify(token: string, now: Date): Promise<TokenClaims>;
}

export interface TokenServiceOptions {
  keyring: Keyring;
  /** Lifetime of new tokens in seconds. */
  ttl: number;
  issuer: string;
  /**
   * How many verified tokens to remember (0: none). A repeated token then skips decryption; its
   * expiry is still checked on every call, and revocation is the caller's store check.
   */
  cacheSize?: number;
}

/** paseto's key shape around our raw key bytes, for the node:crypto implementation below. */
interface NodeLocalKey extends Key {
  readonly algorithm: { readonly name: 'PASETO v3.local (node:crypto)' };
  readonly type: 'secret';
  readonly prk: Buffer;
}

// Tokens are made by paseto (claims, framing, footer) with our synchronous cryptography plugged
// in; they are read by local-token.ts and claims.ts, which follow paseto's rules without its
// promise chain (see there for the measurements).
const v3 = new LocalProtocol(
  LocalEncrypt<3, NodeLocalKey>({
    version: 3,
    run: async (key, message, footer, implicit) => encryptV3Local(key.prk, message, footer, implicit),
  }),
);

// Longer than any token gatehouse issues; anything bigger is refused before any work.
const MAX_TOKEN_LENGTH = 1024;
const TOKEN_SYNTAX = /^v3\.local\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function createTokenService({ keyring, ttl, issuer, cacheSize = 0 }: TokenServiceOptions): TokenService {
  // Keyed by the exact token text: a token maps to the same claims for the life of the keyring.
  const verified = cacheSize > 0 ? new LRUCache<string, TokenClaims>({ max: cacheSize }) : null;
  // The footer gatehouse writes for each key, and the key for each such footer as it appears in
  // a token: a token of ours finds its key by a string lookup, without decoding the footer.
  const footerOf = (key: TokenKey) => Buffer.from(JSON.stringify({ kid: key.id }));
  const keyByFooter = new Map(
    keyring.ids.map((id) => {
      const key = keyring.get(id)!;
      return [footerOf(key).toString('base64url'), key] as const;
    }),
  );
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
      const footer = footerOf(key);
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
      if (token.length > MAX_TOKEN_LENGTH || !TOKEN_SYNTAX.test(token)) {
        throw new TokenError('not a v3.local token with a footer');
      }
      const { footer } = splitToken(token);
      const key = keyByFooter.get(footer) ?? keyring.get(keyIdOf(footer));
      if (key === undefined) throw new TokenError('token key id is unknown');
      let claims;
      let times;
      try {
        ({ claims } = openLocalToken(token, key.prk));
        times = checkRegisteredClaims(claims, issuer, now.getTime());
      } catch (err) {
        if (err instanceof LocalTokenError || err instanceof ClaimError) throw new TokenError(`token rejected: ${err.message}`);
        throw err;
      }
      const { sub, jti } = claims;
      // exp is required by the claim checks; iat, sub and jti by gatehouse.
      if (typeof sub !== 'string' || typeof jti !== 'string' || times.iat === undefined) {
        throw new TokenError('token lacks a required claim');
      }
      const result = Object.freeze({ sub, jti, iat: times.iat / 1000, exp: times.exp / 1000 });
      verified?.set(token, result);
      return result;
    },
  };
}

function splitToken(token: string) {
  try {
    return splitLocalToken(token);
  } catch (err) {
    throw new TokenError(`token rejected: ${(err as Error).message}`);
  }
}

/** The `kid` from the (not yet authenticated) footer text; only used to pick the key. */
function keyIdOf(footer: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(footer, 'base64url').toString('utf8'));
    const kid = (parsed as { kid?: unknown } | null)?.kid;
    if (typeof kid === 'string') return kid;
  } catch {
    // fall through: a footer that is not our JSON cannot name a key
  }
  throw new TokenError('token footer has no key id');
}
