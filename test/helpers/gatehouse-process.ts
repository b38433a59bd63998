import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '../..');

/** How to launch gatehouse: the bundled dist/gatehouse.cjs unless another command is given. */
export const DEFAULT_COMMAND = [process.execPath, join(ROOT, 'dist/gatehouse.cjs')];

export interface GatehouseProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a gatehouse process on a free port (PORT=0) with exactly `env` (plus PATH) and waits
 * for its "listening" log line, which carries the URL.
 */
export async function startGatehouse(
  env: Record<string, string>,
  command: string[] = DEFAULT_COMMAND,
  args: string[] = [],
): Promise<GatehouseProcess> {
  const [file, ...rest] = command;
  const child = spawn(file!, [...rest, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => (output += String(c)));
  child.stderr!.on('data', (c) => (output += String(c)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gatehouse did not start:\n${output}`));
    }, 10_000);
    const check = () => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gatehouse exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
