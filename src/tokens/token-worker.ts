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
 * requests meanwhile. Measured with the benchmark's P2 load: 11,100 → 14,600 req/s.
 *
 * The main thread reads tokens itself (same code, read-token.ts) when `maxInFlight` batches are
 * already at the worker, and for a second after the worker failed; a batch at a worker that
 * dies is read here too, so a lost worker costs time, never an answer.
 */

interface Waiting {
  resolve(claims: TokenClaims): void;
  reject(err: Error): void;
}

interface Batch {
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
  /** How long to read tokens here after the worker failed, in ms. Default 1000. */
  retryAfterMs?: number;
  /** Called each time a worker thread has started (V8 flags set at run time need setting again then). */
  onOnline?(): void;
  /** Called when the worker fails or exits unasked; its batches are read here. */
  onFailure?(err: Error): void;
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

const newBatch = (): Batch => ({ tokens: [], now: [], waiting: [] });

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
  clock = Date.now,
}: TokenWorkerOptions): TokenWorker {
  let worker: Worker | null = null;
  let pending = newBatch();
  let scheduled = false;
  let closed = false;
  let failedAt = -Infinity;
  // Batches sent to `worker`, oldest first: it answers them in order.
  let inFlight: Batch[] = [];

  const readHere = (batch: Batch) => {
    for (let i = 0; i < batch.tokens.length; i += 1) {
      try {
        batch.waiting[i]!.resolve(fallback(batch.tokens[i]!, batch.now[i]!));
      } catch (err) {
        batch.waiting[i]!.reject(err as Error);
      }
    }
  };

  const settle = (batch: Batch, answers: WorkerAnswer[]) => {
    for (let i = 0; i < batch.waiting.length; i += 1) {
      const answer = answers[i];
      if (Array.isArray(answer)) batch.waiting[i]!.resolve({ sub: answer[0], jti: answer[1], iat: answer[2], exp: answer[3] });
      else if (typeof answer === 'string') batch.waiting[i]!.reject(new TokenError(answer));
      else batch.waiting[i]!.reject(new Error(`token worker: ${answer?.failed ?? 'no answer'}`));
    }
  };

  const lose = (lost: Worker, err: Error) => {
    if (worker !== lost) return;
    worker = null;
    failedAt = clock();
    const orphans = inFlight;
    inFlight = [];
    onFailure?.(err);
    for (const batch of orphans) readHere(batch);
  };

  const spawn = (): Worker => {
    const started = new Worker(source, {
      eval: true,
      workerData: { keys: keys.map(({ id, prk }) => ({ id, prk: new Uint8Array(prk) })), issuer },
      // It holds two keys and a few tokens at a time: a small heap is plenty.
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 },
    });
    // Never what keeps the process alive: requests waiting for it do that.
    started.unref();
    started.on('online', () => {
      onOnline?.();
      started.emit('up');
    });
    started.on('message', (answers: WorkerAnswer[]) => {
      if (worker === started) settle(inFlight.shift()!, answers);
    });
    started.on('error', (err) => lose(started, err));
    started.on('exit', (code) => lose(started, new Error(`the token worker exited with code ${code}`)));
    return started;
  };

  const send = (batch: Batch) => {
    if (closed || inFlight.length >= maxInFlight || clock() - failedAt < retryAfterMs) return readHere(batch);
    worker ??= spawn();
    inFlight.push(batch);
    worker.postMessage({ tokens: batch.tokens, now: batch.now });
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
    start() {
      if (closed) return Promise.resolve();
      worker ??= spawn();
      const starting = worker;
      return new Promise<void>((resolve) => {
        starting.once('up', resolve);
        starting.once('error', () => resolve());
        starting.once('exit', () => resolve());
      });
    },
    async close() {
      closed = true;
      const stopping = worker;
      worker = null;
      const orphans = inFlight;
      inFlight = [];
      for (const batch of orphans) readHere(batch);
      if (stopping !== null) await stopping.terminate();
    },
  };
}
