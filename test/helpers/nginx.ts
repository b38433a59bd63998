import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './gatehouse-process';
import { freePort } from './redis-server';
import { missingPrerequisite } from './prerequisite';

/** The nginx site configuration the README shows, kept in the repository. */
export const NGINX_EXAMPLE = join(ROOT, 'examples/nginx/gatehouse.conf');

/** The nginx binary (Debian puts it in /usr/sbin), or undefined when none is installed. */
export const nginxBinary = ['nginx', '/usr/sbin/nginx'].find((bin) => spawnSync(bin, ['-v']).status === 0);

/** `describe` for the nginx integration test; fails when nginx is not installed. */
export function describeWithNginx(): jest.Describe {
  if (nginxBinary === undefined) missingPrerequisite('nginx (for the nginx integration test)', 'apt-get install nginx');
  return describe;
}

export interface NginxProcess {
  readonly url: string;
  readonly dir: string;
  /** nginx's error log so far. */
  errors(): string;
  stop(): Promise<void>;
}

/**
 * Renders the example site with the given addresses (each replaced exactly once, so the test
 * runs the very file the README shows) and runs nginx on it in a private prefix directory:
 * pid, logs and temp paths all inside it, in the foreground, on a free loopback port.
 */
export async function startNginx({ gatehouse, app }: { gatehouse: string; app: string }): Promise<NginxProcess> {
  const port = await freePort();
  const site = replaceOnce(
    replaceOnce(replaceOnce(readFileSync(NGINX_EXAMPLE, 'utf8'), 'server 127.0.0.1:8080;', `server ${gatehouse};`), 'server 127.0.0.1:3000;', `server ${app};`),
    'listen 127.0.0.1:8000;',
    `listen 127.0.0.1:${port};`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-nginx-'));
  // Workers run as an unprivileged user when nginx is started by root.
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'gatehouse.conf'), site);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${dir}/gatehouse.conf;
}
`,
  );
  const child = spawn(nginxBinary!, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const errors = () => {
    try {
      return stderr + readFileSync(join(dir, 'error.log'), 'utf8');
    } catch {
      return stderr;
    }
  };
  await waitForPort(port, child, errors);
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    errors,
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function replaceOnce(text: string, search: string, replacement: string): string {
  const parts = text.split(search);
  if (parts.length !== 2) throw new Error(`${NGINX_EXAMPLE} must contain "${search}" exactly once`);
  return parts.join(replacement);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM'); // nginx: fast shutdown
  await exited;
}

async function waitForPort(port: number, child: ChildProcess, errors: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}:\n${errors()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}:\n${errors()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
