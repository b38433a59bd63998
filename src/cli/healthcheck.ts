import type { Config } from '../config/load';
import { maskedUrl } from '../masked-url';
import { EXIT, type ExitCode } from './exit-codes';

/**
 * GETs `url` and resolves with the status of the answer (its body is not read); rejects when
 * there is no answer within `timeoutMs` (a HealthcheckTimeout) or the connection fails.
 */
export type StatusGetter = (url: URL, timeoutMs: number) => Promise<number>;

export interface HealthcheckDeps {
  getStatus: StatusGetter;
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

/** No answer from the server within the time allowed. */
export class HealthcheckTimeout extends Error {
  override readonly name = 'HealthcheckTimeout';
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/**
 * The StatusGetter of the command: one GET with node:http, or node:https for an https URL
 * (certificates checked as node checks them; NODE_EXTRA_CA_CERTS adds a CA), on a connection of
 * its own, no redirect followed. Not fetch: its implementation is loaded on first use, which
 * made every check take about 390 ms where `gatehouse --version` takes 160 (container checks
 * run every 10 s).
 */
export function getStatus(url: URL, timeoutMs: number): Promise<number> {
  const { request } = url.protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      clearTimeout(timer);
      // The status is all a check needs: the body is not waited for (a body that never ends
      // would keep the command from exiting).
      res.destroy();
      resolve(res.statusCode ?? 0);
    });
    const timer = setTimeout(() => req.destroy(new HealthcheckTimeout(timeoutMs)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
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
export async function healthcheck(url: URL, { getStatus, timeoutMs, out, err }: HealthcheckDeps): Promise<ExitCode> {
  // A password in the URL is sent as Basic credentials, and not printed.
  const shown = maskedUrl(url);
  try {
    const status = await getStatus(url, timeoutMs);
    if (status === 200) {
      out.write(`ready: ${shown}\n`);
      return EXIT.ok;
    }
    err.write(`not ready: ${shown} answered ${status}\n`);
  } catch (e) {
    err.write(`not ready: ${shown}: ${describe(e)}\n`);
  }
  return EXIT.failed;
}

/** Why a check failed: node's code for a socket or certificate error (ECONNREFUSED, …), else the message. */
function describe(e: unknown): string {
  if (e instanceof HealthcheckTimeout) return e.message;
  const { code, message } = e as { code?: unknown; message?: unknown };
  return typeof code === 'string' ? code : typeof message === 'string' ? message : String(e);
}
