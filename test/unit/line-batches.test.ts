import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { LineBatches, type LineSink } from '../../src/line-batches';
import { bundleChildScript } from '../helpers/child-script';

/** A sink that records what it is handed and when it is asked to flush. */
function recordingSink() {
  const written: string[] = [];
  const events: string[] = [];
  const sink: LineSink = {
    write: (chunk) => (written.push(chunk), events.push('write'), true),
    flush: (callback) => (events.push('flush'), callback?.()),
    flushSync: () => void events.push('flushSync'),
  };
  return { sink, written, events };
}

test('lines wait until minLength characters are waiting, then go on as one write, in order', () => {
  const { sink, written } = recordingSink();
  const batches = new LineBatches(sink, 10);
  expect(batches.write('abc\n')).toBe(true);
  expect(batches.write('def\n')).toBe(true);
  expect(written).toEqual([]);
  batches.write('ghi\n'); // 12 characters waiting
  expect(written).toEqual(['abc\ndef\nghi\n']);
  batches.write('jkl\n');
  expect(written).toEqual(['abc\ndef\nghi\n']);
  batches.write('a line longer than ten\n');
  expect(written).toEqual(['abc\ndef\nghi\n', 'jkl\na line longer than ten\n']);
});

test('flush hands on what is waiting; with a callback it also waits for the sink', () => {
  const { sink, written, events } = recordingSink();
  const batches = new LineBatches(sink, 4096);
  batches.write('one\n');
  batches.flush();
  expect(written).toEqual(['one\n']);
  expect(events).toEqual(['write']);
  batches.flush(); // nothing waiting: nothing written
  expect(events).toEqual(['write']);
  batches.write('two\n');
  const done = jest.fn();
  batches.flush(done);
  expect(written).toEqual(['one\n', 'two\n']);
  expect(events).toEqual(['write', 'write', 'flush']);
  expect(done).toHaveBeenCalledTimes(1);
});

test('flushSync hands on what is waiting and has the sink write it before returning', () => {
  const { sink, written, events } = recordingSink();
  const batches = new LineBatches(sink, 4096);
  batches.write('last\n');
  batches.flushSync();
  expect(written).toEqual(['last\n']);
  expect(events).toEqual(['write', 'flushSync']);
});

describe("gatehouse's JSON logger on stdout", () => {
  // src/log.ts bundled for a plain node child that logs `count` lines, then ends as `how` says.
  let script: string;
  beforeAll(() => {
    script = bundleChildScript(
      `const { createLogger } = require(${JSON.stringify(join(__dirname, '../../src/log.ts'))});
       const [count, how] = [Number(process.argv[2]), process.argv[3]];
       const log = createLogger('info', undefined, 'json');
       for (let i = 0; i < count; i++) log.info({ event: 'line', i }, 'line ' + i);
       if (how === 'exit') process.exit(3);
       if (how === 'throw') throw new Error('boom');
       // SIGKILL runs no exit handler: only what was written before it is there.
       if (how === 'kill') setTimeout(() => process.kill(process.pid, 'SIGKILL'), 600);
       // As serve.ts shuts down: flush, then exit with its code; a fallback exit after 1 s.
       if (how === 'shutdown') {
         process.on('exit', () => process.stderr.write('exit listeners ran'));
         setTimeout(() => process.exit(9), 1000).unref();
         log.flush(() => process.exit(7));
       }`,
      'log-lines.cjs',
    );
  });

  const run = (count: number, how: string) => spawnSync(process.execPath, [script, String(count), how], { encoding: 'utf8' });
  const numbers = (stdout: string) => stdout.trim().split('\n').map((line) => (JSON.parse(line) as { i: number }).i);
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

  // Five times each: lines lost at the end (as when they reached sonic-boom after pino's own
  // handler had ended it) went missing in about one run of three.
  test.each(['end', 'exit', 'throw'])('writes every line, in order, whether the process ends normally, exits or throws (%s)', (how) => {
    for (let i = 0; i < 5; i += 1) expect(numbers(run(5000, how).stdout)).toEqual(upTo(5000));
  });

  test('exits at once when the reader of stdout is gone (EPIPE), by exit, throw or end', async () => {
    for (const how of ['exit', 'throw', 'end']) {
      const child = spawn(process.execPath, [script, '20000', how], { stdio: ['ignore', 'pipe', 'ignore'] });
      child.stdout.destroy();
      const code = await new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`${how}: still running after 10 s`))), 10_000);
        child.once('exit', (c) => (clearTimeout(timer), resolve(c)));
      });
      expect(code).toBe({ exit: 3, throw: 1, end: 0 }[how]);
    }
  });

  test("a shutdown's flush waits for a reader that is late, then exits with the shutdown's code", async () => {
    const child = spawn(process.execPath, [script, '20000', 'shutdown'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.stdout.pause(); // the pipe fills up: the child's writes wait for the reader
    await new Promise((resolve) => setTimeout(resolve, 400));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(7);
    expect(numbers(out)).toEqual(upTo(20000));
    // The flush called back while the event loop ran, not from inside an exit listener (where its
    // process.exit would have skipped the listeners after it).
    expect(err).toBe('exit listeners ran');
  });

  test('writes a few lines within the flush interval (100 ms), without more logging or an exit', () => {
    const result = run(3, 'kill');
    expect(result.signal).toBe('SIGKILL');
    expect(numbers(result.stdout)).toEqual([0, 1, 2]);
  });
});
