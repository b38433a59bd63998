import { median, rate, roundOrder, summarize } from '../../bench/rounds';

describe('the benchmark schedule (bench/rounds.ts)', () => {
  it('alternates the order within rounds: forward, backward, backward, forward, and again', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((round) => roundOrder(round, 3))).toEqual([
      [0, 1, 2],
      [2, 1, 0],
      [2, 1, 0],
      [0, 1, 2],
      [0, 1, 2],
      [2, 1, 0],
      [2, 1, 0],
      [0, 1, 2],
    ]);
  });

  it('gives every scenario the same mean position over four rounds', () => {
    const positions = (scenario: number) => [0, 1, 2, 3].map((round) => roundOrder(round, 4).indexOf(scenario));
    const means = [0, 1, 2, 3].map((scenario) => positions(scenario).reduce((a, b) => a + b) / 4);
    expect(means).toEqual([1.5, 1.5, 1.5, 1.5]);
  });

  it('takes the middle value, or the mean of the two middle ones, whatever the order given', () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([40, 10, 30, 20])).toBe(25);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow('median of no values');
  });

  it('sums up runs as medians of each figure and the total of errors, keeping every rate', () => {
    const runs = [
      { requestsPerSecond: 100, p50: 2, p99: 9, errors: 0 },
      { requestsPerSecond: 131, p50: 1, p99: 4, errors: 2 },
      { requestsPerSecond: 90, p50: 3, p99: 12, errors: 0 },
      { requestsPerSecond: 120, p50: 2, p99: 5, errors: 1 },
    ];
    expect(summarize(runs)).toEqual({
      summary: { requestsPerSecond: 110, p50: 2, p99: 7, errors: 3 },
      runs: [100, 131, 90, 120],
    });
  });

  it('keeps rates to a tenth, and shows tenths below 1,000 requests a second', () => {
    const run = (requestsPerSecond: number) => ({ requestsPerSecond, p50: 1, p99: 2, errors: 0 });
    // Login rates: rounded to whole requests, 88.6 against 80.4 would read 89 against 80.
    expect(summarize([run(88.4), run(88.8), run(90.2), run(87.6)]).summary.requestsPerSecond).toBe(88.6);
    expect(summarize([run(80.2), run(80.6)]).summary.requestsPerSecond).toBe(80.4);
    expect([rate(88.6), rate(80), rate(999.94), rate(13320.6), rate(1000)]).toEqual(['88.6', '80.0', '999.9', '13321', '1000']);
  });

  it('gives the median CPU time per request when every run has one, to a tenth of a µs', () => {
    const run = (requestsPerSecond: number, cpuPerRequestUs?: number) => ({ requestsPerSecond, p50: 1, p99: 2, errors: 0, cpuPerRequestUs });
    expect(summarize([run(100, 30.04), run(90, 33.5), run(95, 31.2)]).summary.cpuPerRequestUs).toBe(31.2);
    expect(summarize([run(100, 30), run(90, 33.47)]).summary.cpuPerRequestUs).toBe(31.7);
    expect(summarize([run(100, 30), run(90)]).summary).not.toHaveProperty('cpuPerRequestUs');
  });
});
