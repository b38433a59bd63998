import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { missingPrerequisite } from './prerequisite';

export const ROOT = join(__dirname, '../..');

/** How to launch gatehouse: the bundled dist/gatehouse.cjs unless another command is given. */
export const DEFAULT_COMMAND = [process.execPath, join(ROOT, 'dist/gatehouse.cjs')];

/** The single executable built by `npm run build:binary` (and by the tests' global setup). */
export const BINARY = join(ROOT, 'dist/gatehouse');

/**
 * The ways gatehouse is shipped, as [label, command] for describe.each: the bundle that
 * `npm start` runs, and the single executable (a missing one fails the run). GATEHOUSE_E2E_COMMAND (a JSON array) replaces them with one other command,
 * e.g. a `podman run … image` that passes the test's settings through (.ci/container).
 */
export function launchers(): [string, string[]][] {
  const other = process.env.GATEHOUSE_E2E_COMMAND;
  if (other) return [[`GATEHOUSE_E2E_COMMAND (${JSON.parse(other).slice(0, 3).join(' ')} …)`, JSON.parse(other) as string[]]];
  return [
    ['the bundle', DEFAULT_COMMAND],
    ['the single executable', [builtBinary()]],
  ];
}

/** The single executable's path; fails when it has not been built. */
export function builtBinary(): string {
  if (!existsSync(BINARY)) missingPrerequisite(BINARY, "npm run build:binary (jest's global setup builds it)");
  return BINARY;
}

export interface LaunchOptions {
  /** Working directory; the repository root by default. */
  cwd?: string;
  /** Exactly this environment: no PATH and no PORT=0 added. */
  exactEnv?: boolean;
  /**
   * The URL the server will listen on, for a start that logs no "listening" line (LOG_LEVEL
   * above info): then it is ready once GET /healthz answers.
   */
  url?: string;
}

export interface GatehouseProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function spawnGatehouse(
  command: string[],
  args: string[],
  env: Record<string, string>,
  { cwd = ROOT, exactEnv = false }: LaunchOptions,
): ChildProcess {
  const [file, ...rest] = command;
  return spawn(file!, [...rest, ...args], {
    cwd,
    env: exactEnv ? env : { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/**
 * Starts a gatehouse process on a free port (PORT=0) with exactly `env` (plus PATH) and waits
 * for its "listening" log line, which carries the URL.
 */
export async function startGatehouse(
  env: Record<string, string>,
  command: string[] = DEFAULT_COMMAND,
  args: string[] = [],
  options: LaunchOptions = {},
): Promise<GatehouseProcess> {
  const child = spawnGatehouse(command, args, env, options);
  child.stdin!.end();
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
      const match = /"event":"started","url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    const { url } = options;
    const poll = () =>
      fetch(`${url}/healthz`).then(
        () => {
          clearTimeout(timer);
          resolve(url!);
        },
        () => child.exitCode === null && setTimeout(poll, 20),
      );
    if (url !== undefined) void poll();
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

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a gatehouse command to completion, with `input` on its standard input (a pipe). */
export async function runGatehouse(
  command: string[],
  args: string[],
  { env = {}, input = '', ...options }: LaunchOptions & { env?: Record<string, string>; input?: string | Buffer } = {},
): Promise<CommandResult> {
  const child = spawnGatehouse(command, args, env, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += String(c)));
  child.stderr!.on('data', (c) => (stderr += String(c)));
  child.stdin!.end(input);
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gatehouse ${args.join(' ')} did not finish:\n${stdout}${stderr}`));
    }, 15_000);
    // 'close', not 'exit': all of stdout and stderr has been read by then.
    child.once('close', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, stdout, stderr };
}
