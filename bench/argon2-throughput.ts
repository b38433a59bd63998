/**
 * Raw argon2id verify throughput with `concurrency` verifies in flight, in a Node process set up
 * like gatehouse's (same library, same parameters, default libuv thread pool): the ceiling that
 * POST /login/ is compared with. Prints {"perSecond": n}.
 */
import { hash, verify } from '@node-rs/argon2';

const [concurrency, seconds, memoryCost, timeCost, parallelism] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number,
  number,
];

async function main() {
  const options = { algorithm: 2, memoryCost, timeCost, parallelism } as const;
  const encoded = await hash('correct horse battery', options as never);
  let done = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        await verify(encoded, 'correct horse battery');
        done += 1;
      }
    }),
  );
  process.stdout.write(`${JSON.stringify({ perSecond: done / ((Date.now() - started) / 1000) })}\n`);
}
void main();
