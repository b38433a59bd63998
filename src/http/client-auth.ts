import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppDeps } from '../deps';
import { readBasicCredentials } from './credentials';
import { HttpError, InvalidClient } from './errors';
import type { AppMiddleware } from './state';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Authenticates a service calling /oauth2/introspect or /oauth2/revoke as one of
 * INTROSPECTION_CLIENTS, with HTTP Basic (RFC 6749 §2.3.1: id and secret form-urlencoded, then
 * Basic). Secrets are compared as SHA-256 digests with timingSafeEqual, so neither their
 * content nor their length shows in the time taken, and an unknown id costs the same as a
 * wrong secret. Any failure is 401 invalid_client with a Basic challenge. Sets ctx.state.client.
 */
export function authenticateClient({ config, log }: Pick<AppDeps, 'config' | 'log'>): AppMiddleware {
  const digests = new Map(config.INTROSPECTION_CLIENTS.map((c) => [c.id, sha256(c.secret)]));
  const nobody = sha256(randomBytes(32).toString('hex'));

  return function authenticateClientMiddleware(ctx, next) {
    let credentials;
    try {
      credentials = readBasicCredentials(ctx);
    } catch (err) {
      // A malformed Basic header; two Authorization headers stay a 400.
      if (err instanceof HttpError && err.status === 401) throw new InvalidClient(err.message);
      throw err;
    }
    if (credentials === null) throw new InvalidClient('client authentication with HTTP Basic is required');
    const id = formDecode(credentials.username);
    const secret = formDecode(credentials.password);
    const expected = id === null ? undefined : digests.get(id);
    const matches = timingSafeEqual(sha256(secret ?? ''), expected ?? nobody);
    if (!matches || expected === undefined) {
      log.warn({ event: 'client_auth_failed', client: id ?? undefined }, 'introspection client authentication failed');
      throw new InvalidClient();
    }
    ctx.state.client = id!;
    return next();
  };
}

/** RFC 6749 §2.3.1 / Appendix B: application/x-www-form-urlencoded decoding; null when malformed. */
function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}
