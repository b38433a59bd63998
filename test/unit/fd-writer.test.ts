import { FdWriter, type FdWriterIo } from '../../src/fd-writer';

const errno = (code: string) => Object.assign(new Error(code), { code });

/**
 * A descriptor whose calls go as `script` says, in turn: a number takes at most that many bytes,
 * a string throws that error code; past the script every call takes everything.
 */
function fakeFd(script: (number | string)[] = []) {
  const out: Buffer[] = [];
  let calls = 0;
  const io: FdWriterIo = {
    writeSync: (_fd, data) => {
      const step = script[calls++];
      if (typeof step === 'string') throw errno(step);
      const n = step === undefined ? data.length : Math.min(step, data.length);
      out.push(Buffer.from(data.subarray(0, n)));
      return n;
    },
    sleepSync: () => {},
  };
  return { io, text: () => Buffer.concat(out).toString(), calls: () => calls };
}

test('writes each chunk at once, in order', () => {
  const fd = fakeFd();
  const w = new FdWriter(1, { io: fd.io });
  expect(w.write('one\n')).toBe(true);
  expect(w.write('two\n')).toBe(true);
  expect(fd.text()).toBe('one\ntwo\n');
  expect(fd.calls()).toBe(2);
});

test('a partial write goes on with the rest of the chunk, byte-exact (UTF-8)', () => {
  const fd = fakeFd([2, 2]); // the first call ends inside "é"
  const w = new FdWriter(1, { io: fd.io });
  w.write('héllo wörld\n');
  w.write('next\n');
  expect(fd.text()).toBe('héllo wörld\nnext\n');
});

test('a full descriptor (EAGAIN) keeps the rest, in order, for a later write on a timer; flush waits for it', async () => {
  const fd = fakeFd([1e9, 'EAGAIN', 'EAGAIN']);
  const w = new FdWriter(1, { io: fd.io, retryMs: 5 });
  w.write('a\n');
  w.write('b\n'); // EAGAIN: waits
  w.write('c\n'); // queued behind b, not written before it
  expect(fd.text()).toBe('a\n');
  const flushed = new Promise<Error | undefined>((resolve) => w.flush(resolve));
  expect(await flushed).toBeUndefined();
  expect(fd.text()).toBe('a\nb\nc\n');
});

test('a broken descriptor (EPIPE) stops all writing at once: flush reports it, later chunks are dropped', async () => {
  const fd = fakeFd([1e9, 'EPIPE']);
  const w = new FdWriter(1, { io: fd.io });
  w.write('a\n');
  w.write('b\n');
  expect(w.write('c\n')).toBe(false);
  expect(await new Promise((resolve) => w.flush(resolve))).toMatchObject({ code: 'EPIPE' });
  w.flushSync(); // returns at once: nothing is retried
  expect(fd.text()).toBe('a\n');
  expect(fd.calls()).toBe(2);
  expect(w.dropped).toBe(2);
});

test('beyond maxQueued bytes waiting, chunks are dropped rather than held', () => {
  const fd = fakeFd(['EAGAIN', 'EAGAIN', 'EAGAIN', 'EAGAIN']);
  const w = new FdWriter(1, { io: fd.io, maxQueued: 10, retryMs: 60_000 });
  expect(w.write('12345')).toBe(true);
  expect(w.write('67890')).toBe(true);
  expect(w.write('x')).toBe(false);
  expect(w.dropped).toBe(1);
});

test('flushSync writes everything waiting before it returns, retrying a full descriptor', () => {
  const fd = fakeFd(['EAGAIN', 'EAGAIN', 'EAGAIN']);
  const w = new FdWriter(1, { io: fd.io, retryMs: 60_000 });
  w.write('a\n');
  w.write('b\n');
  expect(fd.text()).toBe('');
  w.flushSync();
  expect(fd.text()).toBe('a\nb\n');
});

test('flushSync calls the flush callbacks still waiting once it has written everything', () => {
  const fd = fakeFd(['EAGAIN']);
  const w = new FdWriter(1, { io: fd.io, retryMs: 60_000 });
  w.write('a\n');
  const done = jest.fn();
  w.flush(done);
  expect(done).not.toHaveBeenCalled();
  w.flushSync();
  expect(fd.text()).toBe('a\n');
  expect(done).toHaveBeenCalledTimes(1);
  expect(done).toHaveBeenCalledWith(undefined);
});

test('an empty chunk is written like any other, without waiting for a retry', () => {
  const fd = fakeFd([0]);
  const w = new FdWriter(1, { io: fd.io, retryMs: 60_000 });
  w.write('');
  w.write('a\n');
  expect(fd.text()).toBe('a\n');
});

test('flushSync gives up on a descriptor that stays full after exitDeadlineMs', () => {
  const fd = fakeFd(Array.from({ length: 10_000 }, () => 'EAGAIN'));
  const w = new FdWriter(1, { io: { ...fd.io, sleepSync: (ms) => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms) }, retryMs: 60_000, exitDeadlineMs: 50 });
  w.write('a\n');
  const started = Date.now();
  w.flushSync();
  expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(fd.text()).toBe('');
  expect(w.dropped).toBe(1);
});
