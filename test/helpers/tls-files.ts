import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A throwaway CA and a certificate it signed, for TLS tests on loopback. */
export interface TlsFiles {
  /** The CA certificate (PEM): what clients trust. */
  readonly ca: string;
  /** A certificate for 127.0.0.1 and localhost, usable by servers and clients alike. */
  readonly cert: string;
  readonly key: string;
  /** Removes the files. */
  remove(): void;
}

/** Makes a CA and a certificate with `openssl` (P-256 keys, valid one day). */
export async function makeTlsFiles(): Promise<TlsFiles> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileAsync('openssl', args, { cwd: dir });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await openssl('req', '-x509', ...newKey, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=gatehouse test CA');
    await openssl('req', ...newKey, '-keyout', 'node.key', '-out', 'node.csr', '-subj', '/CN=localhost');
    writeFileSync(file('node.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    await openssl(
      ...['x509', '-req', '-in', 'node.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'],
      ...['-out', 'node.crt', '-days', '1', '-extfile', 'node.ext'],
    );
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    ca: file('ca.crt'),
    cert: file('node.crt'),
    key: file('node.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
