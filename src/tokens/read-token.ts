import { checkRegisteredClaims, ClaimError } from './claims';
import type { TokenKey } from './keyring';
import { LocalTokenError, openLocalToken, splitLocalToken } from './local-token';

/** The claims gatehouse puts in every token. Times are whole seconds since the epoch. */
export interface TokenClaims {
  /** Username (lowercase). */
  readonly sub: string;
  /** Random token id (128 bits, base64url): the session id. */
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

/** Why a token was refused; the message is safe to log (it never contains the token). */
export class TokenError extends Error {
  override readonly name = 'TokenError';
}

/** Decrypts and checks one token at `now` (ms); throws TokenError. Synchronous. */
export type TokenReader = (token: string, now: number) => TokenClaims;

// Longer than any token gatehouse issues; anything bigger is refused before any work.
const MAX_TOKEN_LENGTH = 1024;
const TOKEN_SYNTAX = /^v3\.local\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The footer gatehouse writes for a key: `{"kid":"k3.lid..."}`. */
export function footerOf(keyId: string): Buffer {
  return Buffer.from(JSON.stringify({ kid: keyId }));
}

/** Refuses, before any cryptography, what cannot be a token of ours (too long, wrong shape). */
export function checkTokenSyntax(token: string): void {
  if (token.length > MAX_TOKEN_LENGTH || !TOKEN_SYNTAX.test(token)) {
    throw new TokenError('not a v3.local token with a footer');
  }
}

/**
 * Reads tokens made under `keys` by `issuer`: key id from the footer, authenticated decryption,
 * the registered claims, and gatehouse's own (sub, jti, iat). Depends only on node:crypto and
 * these modules, so that it also runs in the token worker (token-worker.ts).
 */
export function createTokenReader(keys: readonly TokenKey[], issuer: string): TokenReader {
  const byId = new Map(keys.map((key) => [key.id as string, key]));
  // The key for each footer as it appears in a token of ours: found by a string lookup,
  // without decoding the footer.
  const byFooter = new Map(keys.map((key) => [footerOf(key.id).toString('base64url'), key]));

  return (token, now) => {
    checkTokenSyntax(token);
    const { footer } = splitToken(token);
    const key = byFooter.get(footer) ?? byId.get(keyIdOf(footer));
    if (key === undefined) throw new TokenError('token key id is unknown');
    let claims;
    let times;
    try {
      ({ claims } = openLocalToken(token, key.prk));
      times = checkRegisteredClaims(claims, issuer, now);
    } catch (err) {
      if (err instanceof LocalTokenError || err instanceof ClaimError) throw new TokenError(`token rejected: ${err.message}`);
      throw err;
    }
    const { sub, jti } = claims;
    // exp is required by the claim checks; iat, sub and jti by gatehouse.
    if (typeof sub !== 'string' || typeof jti !== 'string' || times.iat === undefined) {
      throw new TokenError('token lacks a required claim');
    }
    return { sub, jti, iat: times.iat / 1000, exp: times.exp / 1000 };
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
