import type { Middleware } from 'koa';

/**
 * Headers on every response, errors included (OWASP REST security cheat sheet): nothing from
 * gatehouse is cached (its bodies hold tokens and identities, RFC 6749 §5.1), sniffed, framed or
 * allowed to load anything. Routes that serve a page (the API docs) replace the CSP.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

const ENTRIES = Object.entries(SECURITY_HEADERS);

export function securityHeaders(): Middleware {
  // Not async: it only sets headers and hands on, adding no promise to every request.
  return function securityHeadersMiddleware(ctx, next) {
    for (const [name, value] of ENTRIES) ctx.res.setHeader(name, value);
    return next();
  };
}
