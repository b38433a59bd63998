/**
 * The token worker's script (see token-worker.ts): reads batches of tokens off the main thread.
 * Each message is `{ id, tokens, now }`; the answer is `{ id, answers }` with one entry per
 * token, in order: the claims as `[sub, jti, iat, exp]`, or the refusal as a string (a
 * TokenError's message), or `{ failed }` for an unexpected error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createTokenReader, TokenError } from './read-token';

export type WorkerAnswer = [string, string, number, number] | string | { failed: string };

interface WorkerKeys {
  keys: { id: string; prk: Uint8Array }[];
  issuer: string;
}

const { keys, issuer } = workerData as WorkerKeys;
const read = createTokenReader(
  keys.map(({ id, prk }) => ({ id: id as never, prk: Buffer.from(prk.buffer, prk.byteOffset, prk.byteLength) })),
  issuer,
);

parentPort!.on('message', ({ id, tokens, now }: { id: number; tokens: string[]; now: number[] }) => {
  const answers: WorkerAnswer[] = new Array(tokens.length);
  for (let i = 0; i < tokens.length; i += 1) {
    try {
      const { sub, jti, iat, exp } = read(tokens[i]!, now[i]!);
      answers[i] = [sub, jti, iat, exp];
    } catch (err) {
      answers[i] = err instanceof TokenError ? err.message : { failed: String((err as Error)?.message ?? err) };
    }
  }
  parentPort!.postMessage({ id, answers });
});
