/**
 * The benchmark's schedule and summary, apart from the load generator so that they can be tested.
 *
 * Scenarios compared with each other run in rounds, and the order within a round alternates:
 * forward, backward, backward, forward (and again). Run always in one order, a scenario is
 * always measured in the same slot: after its baseline, say, which ran in another process, so
 * that the process measured had been idle for the slots between. Measured on a 2-core machine
 * (2026-12-06, 5 s slots, medians of four rounds' ratios), gatehouse's dashboard served 0.72 of
 * the Redis baseline's rate when always measured right after it, and 0.96 when always measured
 * right before it; with 1 s of the same load before every slot, 0.82 after and 0.84 before. In
 * four rounds of alternating order every scenario has the same mean position: a machine that
 * speeds up or slows down during the run favours none.
 */

/** The order of `count` scenarios (their indexes) in round `round` (from 0). */
export function roundOrder(round: number, count: number): number[] {
  const forward = Array.from({ length: count }, (_, i) => i);
  // Rounds 0, 3, 4, 7, 8, … forward; 1, 2, 5, 6, … backward.
  return round % 4 === 1 || round % 4 === 2 ? forward.reverse() : forward;
}

/** The median: the middle value, or the mean of the two middle values of an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Measured {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /**
   * CPU time of the server measured (all its threads, from /proc) per request, in µs. Less
   * noisy than req/s on a shared host: it tells a gatehouse that works more per request from one
   * that got less of the machine.
   */
  cpuPerRequestUs?: number;
}

/** One scenario's runs, summed up: each figure the median of the runs', errors added up. */
export function summarize(runs: readonly Measured[]): { summary: Measured; runs: number[] } {
  const of = (pick: (m: Measured) => number) => median(runs.map(pick));
  return {
    summary: {
      // To a tenth: the ratios of P3 are taken between rates of 80 to 260 a second.
      requestsPerSecond: Math.round(of((m) => m.requestsPerSecond) * 10) / 10,
      p50: of((m) => m.p50),
      p99: of((m) => m.p99),
      errors: runs.reduce((sum, m) => sum + m.errors, 0),
      ...(runs.every((m) => m.cpuPerRequestUs !== undefined) ? { cpuPerRequestUs: Math.round(of((m) => m.cpuPerRequestUs!) * 10) / 10 } : {}),
    },
    runs: runs.map((m) => m.requestsPerSecond),
  };
}

/** A rate as the table shows it: whole requests from 1,000 a second up, tenths below. */
export function rate(perSecond: number): string {
  return perSecond >= 1000 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}
