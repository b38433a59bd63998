import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ROOT } from '../helpers/gatehouse-process';

/**
 * `npm start` as the README's Quick start gives it, stopped as a supervisor stops a program: a
 * SIGTERM to the process it started, which is npm. npm passes the signal on to its child, so
 * the start script must make gatehouse that child (`exec`): behind `sh -c` without it, npm
 * exited and left gatehouse serving on its own. (The script's build step rewrites dist/ while
 * other tests run from it: scripts/build.mjs replaces each file whole, by rename.)
 */
test('npm start: a SIGTERM to npm stops gatehouse the graceful way, and npm exits 0', async () => {
  const npm = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      npm_config_update_notifier: 'false',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that whatever it leaves behind can be stopped at the end.
    detached: true,
  });
  try {
    await startAndStop(npm);
  } finally {
    try {
      process.kill(-npm.pid!, 'SIGKILL');
    } catch {
      // The group is gone: nothing was left behind.
    }
    npm.stdout?.destroy();
    npm.stderr?.destroy();
  }
}, 60_000);

async function startAndStop(npm: ReturnType<typeof spawn>): Promise<void> {
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let errors = '';
  npm.stderr!.on('data', (chunk: Buffer) => {
    errors += chunk.toString('utf8');
  });
  const started = new Promise<string>((resolve, reject) => {
    npm.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const complete = buffered.split('\n');
      buffered = complete.pop()!;
      for (const line of complete) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          reject(new Error(`a line of npm start's output is not a JSON log line: ${line}`));
          return;
        }
        lines.push(entry);
        if (entry.event === 'started') resolve(String(entry.url));
      }
    });
    npm.once('exit', (code) => reject(new Error(`npm start exited with ${code} before gatehouse started: ${errors}`)));
  });

  const url = await started;
  expect((await fetch(`${url}/healthz`)).status).toBe(200);

  // 'close', not 'exit': the output (gatehouse's last log lines among it) is read to its end.
  const exited = once(npm, 'close');
  npm.kill('SIGTERM');
  const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  expect([code, signal]).toEqual([0, null]);
  expect(lines.map((entry) => entry.event)).toEqual(expect.arrayContaining(['started', 'stopping', 'stopped']));
  // Nothing is left serving.
  await expect(fetch(`${url}/healthz`)).rejects.toThrow();
}
