import { writeSync as fsWriteSync } from 'node:fs';

/** The system calls FdWriter makes, replaceable in tests. */
export interface FdWriterIo {
  writeSync(fd: number, data: Uint8Array): number;
  /** Blocks the thread for `ms` (only at exit, when nothing else is left to run). */
  sleepSync(ms: number): void;
}

const realIo: FdWriterIo = {
  writeSync: (fd, data) => fsWriteSync(fd, data),
  sleepSync: (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms),
};

export interface FdWriterOptions {
  /** Most bytes held while the descriptor takes nothing; what comes beyond is dropped. */
  maxQueued?: number;
  /** How long to wait before writing again after the descriptor said "full" (EAGAIN). */
  retryMs?: number;
  /** How long flushSync (at exit) keeps retrying a full descriptor before it gives up. */
  exitDeadlineMs?: number;
  io?: FdWriterIo;
}

/**
 * Writes chunks to a file descriptor in order, with a synchronous system call each, and never
 * blocks the event loop on a full pipe (stdout made non-blocking, as node does for a pipe):
 * when the descriptor is full (EAGAIN) the rest waits, and is written again on a timer.
 *
 * In place of sonic-boom (pino.destination) for gatehouse's batched stdout, because at exit
 * sonic-boom's flushSync retries an EPIPE (the reader gone) for ever, so the process never
 * ends, and skips a write still in progress, so a batch was lost or came after later ones
 * when the pipe was full. Here a broken descriptor (EPIPE or any other error) stops all
 * writing at once, and flushSync gives up on a full one after `exitDeadlineMs`.
 */
export class FdWriter {
  #queue: Uint8Array[] = [];
  #queued = 0;
  #retry: NodeJS.Timeout | null = null;
  #waiting: ((err?: Error) => void)[] = [];
  #broken: Error | null = null;
  readonly #maxQueued: number;
  readonly #retryMs: number;
  readonly #exitDeadlineMs: number;
  readonly #io: FdWriterIo;
  /** Chunks dropped because the queue was full or the descriptor broken. */
  dropped = 0;

  constructor(
    readonly fd: number,
    { maxQueued = 16 * 1024 * 1024, retryMs = 50, exitDeadlineMs = 1000, io = realIo }: FdWriterOptions = {},
  ) {
    this.#maxQueued = maxQueued;
    this.#retryMs = retryMs;
    this.#exitDeadlineMs = exitDeadlineMs;
    this.#io = io;
  }

  /** False when the chunk was dropped (broken descriptor, or `maxQueued` bytes already waiting). */
  write(chunk: string): boolean {
    const data = Buffer.from(chunk);
    if (this.#broken !== null || this.#queued + data.length > this.#maxQueued) {
      this.dropped += 1;
      return false;
    }
    this.#queue.push(data);
    this.#queued += data.length;
    if (this.#retry === null) this.#pump();
    return true;
  }

  /**
   * Calls `callback` once everything written so far is out (with the error if it never will be).
   * Until then a pending retry keeps the process alive, as a write in progress would.
   */
  flush(callback?: (err?: Error) => void): void {
    if (callback === undefined) return;
    if (this.#queue.length === 0 || this.#broken !== null) {
      process.nextTick(callback, this.#broken ?? undefined);
      return;
    }
    this.#waiting.push(callback);
    this.#retry?.ref();
  }

  /**
   * Writes what is waiting before returning, retrying a full descriptor for `exitDeadlineMs` at
   * most, then calls the flush callbacks still waiting (at exit: in the exit handler).
   */
  flushSync(): void {
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
    const deadline = Date.now() + this.#exitDeadlineMs;
    while (this.#queue.length > 0 && this.#broken === null) {
      if (this.#writeSome()) continue;
      if (Date.now() >= deadline) {
        this.#fail(new Error(`gave up writing to descriptor ${this.fd} after ${this.#exitDeadlineMs} ms`));
        return;
      }
      this.#io.sleepSync(10);
    }
    this.#settle();
  }

  #pump(): void {
    this.#retry = null;
    while (this.#queue.length > 0 && this.#broken === null) {
      if (!this.#writeSome()) {
        this.#retry = setTimeout(() => this.#pump(), this.#retryMs);
        // Only a flush that waits (a shutdown) keeps the process alive for it.
        if (this.#waiting.length === 0) this.#retry.unref();
        return;
      }
    }
    this.#settle();
  }

  /** One write of the first chunk: true when it made progress, false when the descriptor is full. */
  #writeSome(): boolean {
    const first = this.#queue[0]!;
    let written: number;
    try {
      written = this.#io.writeSync(this.fd, first);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return false;
      this.#fail(err as Error);
      return true;
    }
    this.#queued -= written;
    if (written >= first.length) {
      this.#queue.shift();
      return true;
    }
    this.#queue[0] = first.subarray(written);
    return written > 0;
  }

  #fail(err: Error): void {
    this.#broken = err;
    this.dropped += this.#queue.length;
    this.#queue = [];
    this.#queued = 0;
    this.#settle();
  }

  #settle(): void {
    if (this.#queue.length > 0 && this.#broken === null) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const callback of waiting) callback(this.#broken ?? undefined);
  }
}
