import { Worker } from 'node:worker_threads';
import type { TokenKey } from './keyring';
import { TokenError, type TokenClaims, type TokenReader } from './read-token';
import type { AsyncTokenReader } from './token-service';
import type { WorkerAnswer } from './token-worker-main';

/**
 * Token decryption on a worker thread (TOKEN_WORKER).
 *
 * Reading a token gatehouse has not seen before (three HMAC-SHA384 and an AES-256-CTR, about
 * 16 µs of CPU on its own) was the largest cost of `GET /dashboard/` with a new token per
 * request, on the one thread that also parses HTTP, talks to Redis and writes responses. Here
 * the tokens of one turn of the event loop go to the worker in one message and come back in one
 * (a message per token would cost more than the decryption), and the main thread serves other
 * requests meanwhile. Measured with the benchmark's P2 load on a 2-core machine, in alternated
 * 6 s runs: 10,000 to 11,700 → 12,800 to 15,600 req/s.
 *
 * The main thread reads tokens itself (same code, read-token.ts) when `maxInFlight` batches are
 * already at the worker, and for a second after the worker failed (twice as long for each
 * failure in a row, up to 64 s); a batch at a worker that dies is read here too, so a lost
 * worker costs time, never an answer. Each batch carries an id that its answer must echo, with
 * one answer per token: anything else drops the worker, so an answer can never reach the wrong
 * request. An idle worker does not keep the process alive.
 */

interface Waiting {
  resolve(claims: TokenClaims): void;
  reject(err: Error): void;
}

interface Batch {
  id: number;
  tokens: string[];
  now: number[];
  waiting: Waiting[];
}

export interface TokenWorkerOptions {
  keys: readonly TokenKey[];
  issuer: string;
  /** The worker's script: token-worker-main.ts bundled into one text (token-worker-source.ts). */
  source: string;
  /** Reads tokens on this thread when the worker is busy or gone. */
  fallback: TokenReader;
  /** Batches at the worker at once; beyond that, tokens are read here. Default 4. */
  maxInFlight?: number;
  /** Tokens per message at most. Default 256. */
  maxBatch?: number;
  /**
   * How long to read tokens here after the worker failed, in ms; doubled for each failure in a
   * row (a worker that answered resets it), up to 64 times. Default 1000.
   */
  retryAfterMs?: number;
  /** Called each time a worker thread has started (V8 flags set at run time need setting again then). */
  onOnline?(): void;
  /** Called when the worker fails or exits unasked; its batches are read here. */
  onFailure?(err: Error): void;
  /** Called for every batch read: `count` tokens, on the worker or here. */
  onRead?(where: 'worker' | 'main', count: number): void;
  clock?: () => number;
}

export interface TokenWorker {
  read: AsyncTokenReader;
  /**
   * Starts the worker thread now rather than at the first token; resolves once it runs (or
   * has failed: tokens are then read here).
   */
  start(): Promise<void>;
  /** Stops the worker thread; tokens still waiting are read here. */
  close(): Promise<void>;
}

/** One worker thread and what is known of it. */
interface Running {
  readonly thread: Worker;
  online: boolean;
  /** Resolved once it runs, or once it is lost. */
  readonly up: Promise<void>;
}

const MAX_BACKOFF = 64;

export function createTokenWorker({
  keys,
  issuer,
  source,
  fallback,
  maxInFlight = 4,
  maxBatch = 256,
  retryAfterMs = 1000,
  onOnline,
  onFailure,
  onRead,
  clock = Date.now,
}: TokenWorkerOptions): TokenWorker {
  let running: Running | null = null;
  let nextId = 0;
  const newBatch = (): Batch => ({ id: nextId++, tokens: [], now: [], waiting: [] });
  let pending = newBatch();
  let scheduled = false;
  let closed = false;
  let failedAt = -Infinity;
  let failures = 0;
  // Batches sent to the running worker, oldest first: it answers them in order, each by its id.
  let inFlight: Batch[] = [];

  const readHere = (batch: Batch) => {
    onRead?.('main', batch.tokens.length);
    for (let i = 0; i < batch.tokens.length; i += 1) {
      try {
        batch.waiting[i]!.resolve(fallback(batch.tokens[i]!, batch.now[i]!));
      } catch (err) {
        batch.waiting[i]!.reject(err as Error);
      }
    }
  };

  const settle = (batch: Batch, answers: WorkerAnswer[]) => {
    onRead?.('worker', batch.tokens.length);
    for (let i = 0; i < batch.waiting.length; i += 1) {
      const answer = answers[i]!;
      if (Array.isArray(answer)) batch.waiting[i]!.resolve({ sub: answer[0], jti: answer[1], iat: answer[2], exp: answer[3] });
      else if (typeof answer === 'string') batch.waiting[i]!.reject(new TokenError(answer));
      else batch.waiting[i]!.reject(new Error(`token worker: ${answer.failed}`));
    }
  };

  /** The worker is gone or not to be trusted: what it held is read here, and it is replaced later. */
  const lose = (lost: Running | null, err: Error) => {
    if (lost !== null && running !== lost) return;
    running = null;
    failedAt = clock();
    failures = Math.min(failures + 1, MAX_BACKOFF);
    const orphans = inFlight;
    inFlight = [];
    if (lost !== null) void lost.thread.terminate();
    for (const batch of orphans) readHere(batch);
    onFailure?.(err);
  };

  const spawn = (): Running | null => {
    let thread: Worker;
    try {
      thread = new Worker(source, {
        eval: true,
        workerData: { keys: keys.map(({ id, prk }) => ({ id, prk: new Uint8Array(prk) })), issuer },
        // It holds two keys and a few tokens at a time: a small heap is plenty.
        resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 },
      });
    } catch (err) {
      // Thread creation can fail (ERR_WORKER_INIT_FAILED, e.g. at a container's process limit).
      lose(null, err as Error);
      return null;
    }
    let markUp = () => {};
    const started: Running = { thread, online: false, up: new Promise<void>((resolve) => (markUp = resolve)) };
    thread.on('online', () => {
      started.online = true;
      markUp();
      onOnline?.();
    });
    thread.on('message', (message: { id?: unknown; answers?: unknown }) => {
      if (running !== started) return;
      const batch = inFlight[0];
      if (batch === undefined || message?.id !== batch.id || !Array.isArray(message.answers) || message.answers.length !== batch.tokens.length) {
        lose(started, new Error('the token worker answered out of turn'));
        return;
      }
      inFlight.shift();
      failures = 0;
      settle(batch, message.answers as WorkerAnswer[]);
      // Waiting requests keep the process alive while the worker has work; an idle worker does not.
      if (inFlight.length === 0) thread.unref();
    });
    thread.on('messageerror', (err) => lose(started, err));
    thread.on('error', (err) => lose(started, err));
    thread.on('exit', (code) => lose(started, new Error(`the token worker exited with code ${code}`)));
    thread.once('exit', () => markUp());
    // After the listeners, which would hold the process again.
    thread.unref();
    return started;
  };

  const send = (batch: Batch) => {
    if (batch.tokens.length === 0) return;
    const backoff = retryAfterMs * 2 ** Math.max(0, failures - 1);
    if (closed || inFlight.length >= maxInFlight || clock() - failedAt < backoff) return readHere(batch);
    running ??= spawn();
    if (running === null) return readHere(batch);
    if (inFlight.length === 0) running.thread.ref();
    inFlight.push(batch);
    running.thread.postMessage({ id: batch.id, tokens: batch.tokens, now: batch.now });
  };

  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = newBatch();
    send(batch);
  };

  return {
    read(token, now) {
      return new Promise<TokenClaims>((resolve, reject) => {
        pending.tokens.push(token);
        pending.now.push(now);
        pending.waiting.push({ resolve, reject });
        if (pending.tokens.length >= maxBatch) {
          const full = pending;
          pending = newBatch();
          send(full);
        } else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    async start() {
      if (closed) return;
      running ??= spawn();
      const starting = running;
      if (starting === null || starting.online) return;
      // Waiting for it is what keeps the process alive meanwhile.
      starting.thread.ref();
      await starting.up;
      if (running !== starting || inFlight.length === 0) starting.thread.unref();
    },
    async close() {
      closed = true;
      const stopping = running;
      running = null;
      const orphans = inFlight;
      inFlight = [];
      for (const batch of orphans) readHere(batch);
      if (stopping !== null) await stopping.thread.terminate();
    },
  };
}
