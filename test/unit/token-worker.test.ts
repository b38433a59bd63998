import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keyring } from '../../src/tokens/keyring';
import { generateLocalKey } from '../../src/tokens/paserk';
import { createTokenReader, TokenError, type TokenClaims } from '../../src/tokens/read-token';
import { createTokenService } from '../../src/tokens/token-service';
import { createTokenWorker, type TokenWorker, type TokenWorkerOptions } from '../../src/tokens/token-worker';
import { tokenWorkerSource } from '../../src/tokens/token-worker-source';
import { bundleChildScript } from '../helpers/child-script';

const NOW = new Date('2026-11-30T12:00:00.000Z');
const keyring = new Keyring([generateLocalKey(), generateLocalKey()]);
const otherKeyring = new Keyring([generateLocalKey()]);
const ISSUER = 'gatehouse';
const readHere = createTokenReader(keyring.keys, ISSUER);
const issuer = createTokenService({ keyring, ttl: 60, issuer: ISSUER });

/** Every worker made here is closed after its test. */
const made: TokenWorker[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((w) => w.close()));
});

function worker(options: Partial<TokenWorkerOptions> = {}): TokenWorker {
  const made1 = createTokenWorker({ keys: keyring.keys, issuer: ISSUER, source: tokenWorkerSource(), fallback: readHere, ...options });
  made.push(made1);
  return made1;
}

/** What reading `token` gives: its claims, or the refusal's class and message. */
async function outcome(read: () => Promise<TokenClaims> | TokenClaims): Promise<unknown> {
  try {
    return { claims: await read() };
  } catch (err) {
    return { refused: (err as Error).name, message: (err as Error).message };
  }
}

/** A reader on this thread that counts its calls. */
function countingFallback() {
  const calls: string[] = [];
  const fallback = (token: string, now: number) => {
    calls.push(token);
    return readHere(token, now);
  };
  return { calls, fallback };
}

/** A worker script that takes messages and never answers. */
const SILENT = "require('node:worker_threads').parentPort.on('message', () => {});";
/** A worker script that answers each message with `answer(message)` (JavaScript). */
const answering = (answer: string) =>
  `const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => parentPort.postMessage(${answer}));`;

describe('the token worker', () => {
  test('reads valid tokens off the main thread, with the same claims as on it', async () => {
    const { calls, fallback } = countingFallback();
    const w = worker({ fallback });
    const issued = await Promise.all(Array.from({ length: 20 }, (_, i) => issuer.issue(`user${i}`, NOW)));
    const read = await Promise.all(issued.map(({ token }) => w.read(token, NOW.getTime())));
    expect(read).toEqual(issued.map(({ claims }) => claims));
    expect(calls).toEqual([]);
  });

  test('refuses what the main thread refuses, with the same error and message', async () => {
    const w = worker();
    const { token } = await issuer.issue('alice', NOW);
    const foreign = (await createTokenService({ keyring: otherKeyring, ttl: 60, issuer: ISSUER }).issue('alice', NOW)).token;
    const otherIssuer = (await createTokenService({ keyring, ttl: 60, issuer: 'elsewhere' }).issue('alice', NOW)).token;
    const flipped = `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    const cases: [string, number][] = [
      [token, NOW.getTime() + 61_000], // expired
      [foreign, NOW.getTime()], // unknown key id
      [otherIssuer, NOW.getTime()],
      [flipped, NOW.getTime()],
      ['v3.local.AAAA.AAAA', NOW.getTime()],
    ];
    for (const [text, now] of cases) {
      const there = await outcome(() => w.read(text, now));
      expect(there).toMatchObject({ refused: 'TokenError' });
      expect(there).toEqual(await outcome(() => readHere(text, now)));
    }
  });

  test('gives the same verdict as the main thread on 2,000 valid, mutated and random tokens', async () => {
    const w = worker();
    const texts: string[] = [];
    for (let i = 0; i < 500; i += 1) {
      const { token } = await issuer.issue(`u${i}`, NOW);
      const at = 9 + Math.floor(Math.random() * (token.length - 9));
      const swapped = token[at] === '-' ? '_' : '-';
      texts.push(token, `${token.slice(0, at)}${swapped}${token.slice(at + 1)}`, token.slice(0, -1 - (i % 5)));
      texts.push(`v3.local.${randomBytes(80 + (i % 40)).toString('base64url')}.${token.split('.')[3]}`);
    }
    const now = NOW.getTime() + 1000;
    const there = await Promise.all(texts.map((t) => outcome(() => w.read(t, now))));
    const here = await Promise.all(texts.map((t) => outcome(() => readHere(t, now))));
    expect(there).toEqual(here);
    expect(there.filter((o) => (o as { claims?: unknown }).claims !== undefined)).toHaveLength(500);
  });

  test('a turn with more tokens than one message holds is sent in several, all answered, none empty', async () => {
    const { calls, fallback } = countingFallback();
    const reads: [string, number][] = [];
    const w = worker({ fallback, maxBatch: 7, maxInFlight: 100, onRead: (where, count) => reads.push([where, count]) });
    const issued = await Promise.all(Array.from({ length: 49 }, (_, i) => issuer.issue(`user${i}`, NOW)));
    expect(await Promise.all(issued.map(({ token }) => w.read(token, NOW.getTime())))).toEqual(issued.map(({ claims }) => claims));
    expect(calls).toEqual([]);
    // 49 tokens in one turn: seven full messages, and no empty one after them.
    expect(reads).toEqual(Array.from({ length: 7 }, () => ['worker', 7]));
  });

  test('when maxInFlight messages wait at the worker, tokens are read on the main thread', async () => {
    const { calls, fallback } = countingFallback();
    const w = worker({ fallback, source: SILENT, maxInFlight: 1 });
    const [first, second] = await Promise.all([issuer.issue('alice', NOW), issuer.issue('bob', NOW)]);
    const stuck = w.read(first!.token, NOW.getTime());
    await new Promise((resolve) => setImmediate(resolve)); // the first turn's message went out
    await expect(w.read(second!.token, NOW.getTime())).resolves.toEqual(second!.claims);
    expect(calls).toEqual([second!.token]);
    // Closing reads what the worker never answered: the caller still gets its answer.
    await w.close();
    await expect(stuck).resolves.toEqual(first!.claims);
    expect(calls).toEqual([second!.token, first!.token]);
  });

  test('a worker that dies: its tokens are read on the main thread, the failure is reported, and it is started again after a pause', async () => {
    const { calls, fallback } = countingFallback();
    const failures: Error[] = [];
    let now = 0;
    const dying = "require('node:worker_threads').parentPort.on('message', () => process.exit(3));";
    const w = worker({ fallback, source: dying, onFailure: (err) => failures.push(err), clock: () => now, retryAfterMs: 1000 });
    const { token, claims } = await issuer.issue('alice', NOW);
    await expect(w.read(token, NOW.getTime())).resolves.toEqual(claims);
    expect(failures.map((e) => e.message)).toEqual(['the token worker exited with code 3']);
    expect(calls).toEqual([token]);

    // Within the pause: read here, no new worker.
    now = 999;
    await expect(w.read(token, NOW.getTime())).resolves.toEqual(claims);
    expect(failures).toHaveLength(1);
    // After it: a new worker is tried (this one dies too, and is reported again).
    now = 1000;
    await expect(w.read(token, NOW.getTime())).resolves.toEqual(claims);
    expect(failures).toHaveLength(2);
    // Two failures in a row: the pause doubles.
    now = 1000 + 1999;
    await expect(w.read(token, NOW.getTime())).resolves.toEqual(claims);
    expect(failures).toHaveLength(2);
    now = 1000 + 2000;
    await expect(w.read(token, NOW.getTime())).resolves.toEqual(claims);
    expect(failures).toHaveLength(3);
    expect(calls).toEqual([token, token, token, token, token]);
  });

  test('a worker that throws (an error, then its exit) is reported once, and its tokens are read here', async () => {
    const { calls, fallback } = countingFallback();
    const failures: Error[] = [];
    const w = worker({ fallback, source: "require('node:worker_threads').parentPort.on('message', () => { throw new Error('kaput'); });", onFailure: (err) => failures.push(err) });
    const { token, claims } = await issuer.issue('alice', NOW);
    await expect(w.read(token, NOW.getTime())).resolves.toEqual(claims);
    await new Promise((resolve) => setTimeout(resolve, 100)); // its exit follows the error
    expect(failures.map((e) => e.message)).toEqual(['kaput']);
    expect(calls).toEqual([token]);
  });

  test('a worker that cannot even be created (new Worker throws): tokens are read here, the failure reported', async () => {
    const { calls, fallback } = countingFallback();
    const failures: Error[] = [];
    const w = worker({ fallback, source: 42 as unknown as string, onFailure: (err) => failures.push(err) });
    await w.start();
    const { token, claims } = await issuer.issue('alice', NOW);
    await expect(w.read(token, NOW.getTime())).resolves.toEqual(claims);
    expect(failures.map((e) => e.message)).toEqual([expect.stringMatching(/options\.eval/)]);
    expect(calls).toEqual([token]);
  });

  test.each([
    ['an answer with another id', answering('({ id: m.id + 1, answers: m.tokens.map(() => "no") })')],
    ['an answer of the wrong length', answering('({ id: m.id, answers: [] })')],
    ['an answer that is not the expected shape', answering('"hello"')],
  ])('%s: the worker is dropped and its tokens read here, never matched to the wrong request', async (_, source) => {
    const { calls, fallback } = countingFallback();
    const failures: Error[] = [];
    const w = worker({ fallback, source, onFailure: (err) => failures.push(err) });
    const issued = await Promise.all([issuer.issue('alice', NOW), issuer.issue('bob', NOW)]);
    expect(await Promise.all(issued.map(({ token }) => w.read(token, NOW.getTime())))).toEqual(issued.map(({ claims }) => claims));
    expect(failures.map((e) => e.message)).toEqual(['the token worker answered out of turn']);
    expect(calls).toEqual(issued.map(({ token }) => token));
  });

  test('a message nobody asked for drops the worker', async () => {
    const failures: Error[] = [];
    const stray = "require('node:worker_threads').parentPort.postMessage({ id: 0, answers: [] });";
    const w = worker({ source: stray, onFailure: (err) => failures.push(err) });
    await w.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(failures.map((e) => e.message)).toEqual(['the token worker answered out of turn']);
  });

  test('a worker script that does not even start: tokens are read on the main thread', async () => {
    const { calls, fallback } = countingFallback();
    const failures: Error[] = [];
    const w = worker({ fallback, source: 'this is not javascript', onFailure: (err) => failures.push(err) });
    await w.start();
    const { token, claims } = await issuer.issue('alice', NOW);
    await expect(w.read(token, NOW.getTime())).resolves.toEqual(claims);
    expect(failures[0]?.name).toBe('SyntaxError');
    expect(calls).toEqual([token]);
  });

  test('an unexpected error in the worker rejects with a plain Error, not a refusal of the token', async () => {
    const failing = answering("({ id: m.id, answers: m.tokens.map(() => ({ failed: 'boom' })) })");
    const w = worker({ source: failing });
    const { token } = await issuer.issue('alice', NOW);
    const result = w.read(token, NOW.getTime());
    await expect(result).rejects.toThrow('token worker: boom');
    await expect(result).rejects.not.toBeInstanceOf(TokenError);
  });

  test('start() resolves once the worker runs, after onOnline; again at once, and after a read started it', async () => {
    const events: string[] = [];
    const w = worker({ onOnline: () => events.push('online') });
    await w.start();
    events.push('started');
    expect(events).toEqual(['online', 'started']);
    await w.start();
    const { token, claims } = await issuer.issue('alice', NOW);
    await expect(w.read(token, NOW.getTime())).resolves.toEqual(claims);
    expect(events).toEqual(['online', 'started']);

    const other = worker();
    const reading = other.read(token, NOW.getTime());
    await new Promise((resolve) => setImmediate(resolve)); // the read started the worker
    await other.start();
    await expect(reading).resolves.toEqual(claims);
  });

  test('close() while the worker holds a batch: the batch is read here, and a late answer is ignored', async () => {
    const late = "const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => setTimeout(() => parentPort.postMessage({ id: m.id, answers: m.tokens.map(() => 'late') }), 200));";
    const w = worker({ source: late });
    const { token, claims } = await issuer.issue('alice', NOW);
    const reading = w.read(token, NOW.getTime());
    await new Promise((resolve) => setImmediate(resolve));
    await w.close();
    await expect(reading).resolves.toEqual(claims);
    await new Promise((resolve) => setTimeout(resolve, 300));
  });

  test('waiting for start() keeps the process alive; an idle worker does not', () => {
    // A process whose only work is to start the worker, then one read through it, must do
    // both (not end while the worker starts) and then end by itself.
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-worker-'));
    try {
      writeFileSync(join(dir, 'source.js'), tokenWorkerSource());
      const script = bundleChildScript(`
            const { readFileSync } = require('node:fs');
            const { Keyring } = require(${JSON.stringify(join(__dirname, '../../src/tokens/keyring.ts'))});
            const { generateLocalKey } = require(${JSON.stringify(join(__dirname, '../../src/tokens/paserk.ts'))});
            const { createTokenReader } = require(${JSON.stringify(join(__dirname, '../../src/tokens/read-token.ts'))});
            const { encryptV3Local } = require(${JSON.stringify(join(__dirname, '../../src/tokens/v3-local.ts'))});
            const { createTokenWorker } = require(${JSON.stringify(join(__dirname, '../../src/tokens/token-worker.ts'))});
            const keyring = new Keyring([generateLocalKey()]);
            const key = keyring.current;
            const footer = Buffer.from(JSON.stringify({ kid: key.id }));
            const now = Date.now();
            const claims = Buffer.from(JSON.stringify({ sub: 'idle', jti: 'j'.repeat(22), iss: 'gatehouse', iat: new Date(now).toISOString(), exp: new Date(now + 60000).toISOString() }));
            const token = 'v3.local.' + encryptV3Local(key.prk, claims, footer, Buffer.alloc(0)).toString('base64url') + '.' + footer.toString('base64url');
            const worker = createTokenWorker({ keys: keyring.keys, issuer: 'gatehouse', source: readFileSync(${JSON.stringify(join(dir, 'source.js'))}, 'utf8'), fallback: createTokenReader(keyring.keys, 'gatehouse'), onRead: (where) => process.stdout.write(where + ' ') });
            worker
              .start()
              .then(() => {
                process.stdout.write('up ');
                return worker.read(token, now);
              })
              .then((c) => process.stdout.write(c.sub));`);
      const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 10_000 });
      expect(run.signal).toBeNull();
      expect(run.status).toBe(0);
      expect(run.stdout).toBe('up worker idle');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('after close(), tokens are read on the main thread and no worker is started', async () => {
    const { calls, fallback } = countingFallback();
    const online: string[] = [];
    const w = worker({ fallback, onOnline: () => online.push('online') });
    await w.close();
    await w.start();
    const { token, claims } = await issuer.issue('alice', NOW);
    await expect(w.read(token, NOW.getTime())).resolves.toEqual(claims);
    expect(calls).toEqual([token]);
    expect(online).toEqual([]);
  });
});

describe('the token service with the worker as its reader', () => {
  test('sends only tokens missing from its cache, and caches what comes back (from the second time)', async () => {
    const sent: string[] = [];
    const w = worker();
    const service = createTokenService({
      keyring,
      ttl: 60,
      issuer: ISSUER,
      cacheSize: 10,
      reader: (token, now) => {
        sent.push(token);
        return w.read(token, now);
      },
    });
    const { token, claims } = await service.issue('alice', NOW);
    for (let i = 0; i < 3; i += 1) await expect(service.verify(token, NOW)).resolves.toEqual(claims);
    expect(sent).toEqual([token, token]);
    // Not even sent: text that cannot be a token of ours.
    await expect(service.verify('v4.public.abc', NOW)).rejects.toThrow(TokenError);
    expect(sent).toEqual([token, token]);
    // A cached token past its expiry is refused without the worker, as without a cache.
    const later = new Date(NOW.getTime() + 61_000);
    await expect(service.verify(token, later)).rejects.toThrow('token rejected: Token has expired');
    expect(sent).toEqual([token, token]);
  });
});
