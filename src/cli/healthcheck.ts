import type { Config } from '../config/load';
import { EXIT, type ExitCode } from './exit-codes';

export interface HealthcheckDeps {
  fetch: typeof fetch;
  /** How long to wait for the answer, in milliseconds. */
  timeoutMs: number;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

/**
 * The server's base URL from its settings. A server listening on every address (0.0.0.0 or
 * ::) is asked on loopback, which is where a container HEALTHCHECK runs.
 */
export function serverUrl({ HOST, PORT }: Pick<Config, 'HOST' | 'PORT'>): string {
  const host = HOST === '0.0.0.0' ? '127.0.0.1' : HOST === '::' ? '::1' : HOST;
  return `http://${host.includes(':') ? `[${host}]` : host}:${PORT}`;
}

/** A --url that is not an http(s) URL. */
export class InvalidUrlError extends Error {
  override readonly name = 'InvalidUrlError';
}

/** The readiness URL under a server's base URL (a path prefix, as behind a proxy, is kept). */
export function readinessUrl(base: string): URL {
  const url = URL.canParse(base) ? new URL(base) : null;
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidUrlError(`not an http(s) URL: ${base}`);
  }
  return new URL('readyz', url.href.endsWith('/') ? url : `${url.href}/`);
}

/**
 * `gatehouse healthcheck`: GET /readyz; exit 0 when it answers 200, 1 otherwise (not ready,
 * refused, timed out). For container HEALTHCHECKs in images with neither shell nor curl.
 */
export async function healthcheck(url: URL, { fetch, timeoutMs, out, err }: HealthcheckDeps): Promise<ExitCode> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    await response.body?.cancel();
    if (response.status === 200) {
      out.write(`ready: ${url.href}\n`);
      return EXIT.ok;
    }
    err.write(`not ready: ${url.href} answered ${response.status}\n`);
  } catch (e) {
    const reason = (e as { name?: unknown }).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describe(e);
    err.write(`not ready: ${url.href}: ${reason}\n`);
  }
  return EXIT.failed;
}

/** fetch hides the socket error (ECONNREFUSED, …) in `cause`. */
function describe(e: unknown): string {
  const { cause, message } = e as { cause?: { code?: string; message?: string }; message?: string };
  return cause?.code ?? cause?.message ?? message ?? String(e);
}
