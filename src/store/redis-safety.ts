import type { Cluster, Redis } from 'ioredis';
import { StoreUnavailableError } from './store';

/** What readiness and start-up report about the store, beyond "it answers". */
export interface StoreSafety {
  /**
   * Why acknowledged writes could be lost, one sentence each, or that this could not be
   * verified. Empty when the store is known to keep every acknowledged write.
   */
  readonly unsafe: readonly string[];
  /** Other things an operator should know (such as clock skew); they never fail readiness. */
  readonly notes: readonly string[];
}

/** The settings that make Redis keep every acknowledged write, and why each matters. */
const REQUIRED: readonly { name: string; value: string; why: string }[] = [
  { name: 'appendonly', value: 'yes', why: 'without the append-only file, writes since the last snapshot are lost when Redis stops' },
  { name: 'appendfsync', value: 'always', why: 'anything else can lose the last second of acknowledged writes when the host crashes' },
  { name: 'maxmemory-policy', value: 'noeviction', why: 'any other policy lets a full Redis delete users and sessions' },
];

/**
 * Reads the durability settings of Redis (CONFIG GET) and measures how far its clock is from
 * ours (TIME), since every write carries a deadline in our clock (RedisStoreOptions). Rejects
 * with StoreUnavailableError when Redis does not answer. A managed Redis that forbids CONFIG is
 * reported as unverified rather than unsafe.
 */
export async function checkRedisSafety(
  redis: Redis | Cluster,
  writeBudgetMs: number,
  now: () => number = Date.now,
): Promise<StoreSafety> {
  const unsafe: string[] = [];
  const notes: string[] = [];
  try {
    const before = now();
    const [seconds, micros] = await redis.time();
    const skew = Number(seconds) * 1000 + Number(micros) / 1000 - (before + now()) / 2;
    // Writes are refused when the clocks differ by more than the budget (redis-store.ts).
    if (Math.abs(skew) > writeBudgetMs / 3) {
      notes.push(
        `the Redis clock is ${Math.round(Math.abs(skew))} ms ${skew > 0 ? 'ahead of' : 'behind'} ours; ` +
          `writes fail once the clocks differ by more than ${Math.round(writeBudgetMs)} ms (keep both hosts on NTP)`,
      );
    }
  } catch (err) {
    throw new StoreUnavailableError(`redis TIME failed: ${(err as Error).message}`, { cause: err });
  }

  for (const { name, value, why } of REQUIRED) {
    let reply: unknown;
    try {
      reply = await redis.config('GET', name);
    } catch (err) {
      if (isRefusal(err)) {
        unsafe.push(`could not verify that Redis keeps acknowledged writes: CONFIG GET is not allowed (${firstLine(err)})`);
        break;
      }
      throw new StoreUnavailableError(`redis CONFIG GET failed: ${(err as Error).message}`, { cause: err });
    }
    const actual = Array.isArray(reply) ? String(reply[1] ?? '') : '';
    if (actual !== value) unsafe.push(`Redis has ${name} ${actual || '(unset)'}, not ${value}: ${why}`);
  }
  return { unsafe, notes };
}

// A renamed or ACL-forbidden command is an answer, not an outage.
function isRefusal(err: unknown): boolean {
  const message = (err as Error)?.message ?? '';
  return /^(ERR unknown command|NOPERM|ERR.*CONFIG.*disabled)/i.test(message);
}

function firstLine(err: unknown): string {
  return ((err as Error)?.message ?? String(err)).split('\n')[0]!.slice(0, 120);
}
