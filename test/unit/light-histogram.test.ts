import fc from 'fast-check';
import { LightHistogram } from '../../src/light-histogram';
import { Histogram, Registry } from '../../src/prom';

const NAME = 'test_duration_seconds';
const HELP = 'Time of something, by method and route';
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
type Observation = { method: string; route: string; value: number };

/** The same observations through prom-client's Histogram and through a LightHistogram, as scraped. */
async function scrapeBoth(observations: Observation[], defaultLabels: Record<string, string> = {}): Promise<[string, string]> {
  const promRegistry = new Registry();
  promRegistry.setDefaultLabels(defaultLabels);
  const prom = new Histogram({ name: NAME, help: HELP, labelNames: ['method', 'route'], buckets: BUCKETS, registers: [promRegistry] });
  const lightRegistry = new Registry();
  lightRegistry.setDefaultLabels(defaultLabels);
  const light = new LightHistogram<'method' | 'route'>({ name: NAME, help: HELP, buckets: BUCKETS, registers: [lightRegistry] });
  for (const { method, route, value } of observations) {
    prom.observe({ method, route }, value);
    light.series({ method, route }).observe(value);
  }
  // prom-client's bucket values carry `exemplar: null` (exemplars are off); nothing else differs.
  const withoutExemplars = (metrics: { values: object[] }[]) =>
    metrics.map((m) => ({ ...m, values: m.values.map(({ exemplar: _, ...rest }: { exemplar?: unknown }) => rest) }));
  expect(await lightRegistry.getMetricsAsJSON()).toEqual(withoutExemplars(await promRegistry.getMetricsAsJSON()));
  return [await promRegistry.metrics(), await lightRegistry.metrics()];
}

describe('LightHistogram', () => {
  test('is scraped as the same text as prom-client’s Histogram given the same observations', async () => {
    const [prom, light] = await scrapeBoth([
      { method: 'GET', route: '/dashboard', value: 0.0004 },
      { method: 'GET', route: '/dashboard', value: 0.0005 }, // on a bound: counted in le="0.0005"
      { method: 'GET', route: '/dashboard', value: 0.0123 },
      { method: 'POST', route: '/login', value: 0.02 },
      { method: 'POST', route: '/login', value: 7 }, // above every bound: only +Inf
    ]);
    expect(light).toBe(prom);
    expect(light).toContain('test_duration_seconds_bucket{le="0.0005",method="GET",route="/dashboard"} 2');
    expect(light).toContain('test_duration_seconds_bucket{le="0.025",method="GET",route="/dashboard"} 3');
    expect(light).toContain('test_duration_seconds_bucket{le="2.5",method="POST",route="/login"} 1');
    expect(light).toContain('test_duration_seconds_bucket{le="+Inf",method="POST",route="/login"} 2');
    expect(light).toContain('test_duration_seconds_sum{method="POST",route="/login"} 7.02');
    expect(light).toContain('test_duration_seconds_count{method="GET",route="/dashboard"} 3');
  });

  test('matches prom-client for any observations', async () => {
    const observation = fc.record({
      method: fc.constantFrom('GET', 'POST', 'DELETE'),
      route: fc.constantFrom('/dashboard', '/login', 'unmatched', '/sessions/:jti'),
      value: fc.oneof(fc.constantFrom(...BUCKETS, 0), fc.double({ min: 0, max: 10, noNaN: true })),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 60 }), async (observations) => {
        const [prom, light] = await scrapeBoth(observations);
        expect(light).toBe(prom);
      }),
      { numRuns: 200 },
    );
  });

  test('the registry’s default labels go where prom-client puts them', async () => {
    const [prom, light] = await scrapeBoth([{ method: 'GET', route: '/dashboard', value: 0.003 }], { service: 'gatehouse' });
    expect(light).toBe(prom);
    expect(light).toContain('test_duration_seconds_bucket{le="0.005",service="gatehouse",method="GET",route="/dashboard"} 1');
  });

  test('one series per label set however often it is asked for, whatever the order of the labels', async () => {
    const registry = new Registry();
    const histogram = new LightHistogram<'method' | 'route'>({ name: NAME, help: HELP, buckets: [1], registers: [registry] });
    histogram.series({ method: 'GET', route: '/x' }).observe(0.5);
    histogram.series({ route: '/x', method: 'GET' }).observe(2);
    const text = await registry.metrics();
    expect(text.match(/_count\{/g)).toHaveLength(1);
    expect(text).toContain('test_duration_seconds_count{method="GET",route="/x"} 2');
  });

  test('refuses a value that is not a finite number, and a label named le, as prom-client does', async () => {
    const registry = new Registry();
    const histogram = new LightHistogram<'route' | 'le'>({ name: NAME, help: HELP, buckets: [1], registers: [registry] });
    const series = histogram.series({ route: '/x' } as Record<'route' | 'le', string>);
    for (const value of [NaN, Infinity, -Infinity]) expect(() => series.observe(value)).toThrow('Value is not a valid number');
    expect(await registry.metrics()).toContain('test_duration_seconds_sum{route="/x"} 0');
    expect(() => histogram.series({ route: '/x', le: '1' })).toThrow('le is a reserved label name');
  });

  test('reset sets every series to zero and the series go on counting', async () => {
    const registry = new Registry();
    const histogram = new LightHistogram<'route'>({ name: NAME, help: HELP, buckets: [0.1, 1], registers: [registry] });
    const series = histogram.series({ route: '/x' });
    series.observe(0.05);
    series.observe(5);
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('test_duration_seconds_count{route="/x"} 0');
    series.observe(0.5);
    const text = await registry.metrics();
    expect(text).toContain('test_duration_seconds_bucket{le="0.1",route="/x"} 0');
    expect(text).toContain('test_duration_seconds_bucket{le="1",route="/x"} 1');
    expect(text).toContain('test_duration_seconds_sum{route="/x"} 0.5');
  });

  test('refuses buckets that are empty, not increasing or not finite, and a name already registered', () => {
    const registry = new Registry();
    const make = (buckets: number[], name = NAME) => new LightHistogram({ name, help: HELP, buckets, registers: [registry] });
    expect(() => make([])).toThrow('buckets must be finite and increasing');
    expect(() => make([0.1, 0.1])).toThrow('buckets must be finite and increasing');
    expect(() => make([1, 0.5])).toThrow('buckets must be finite and increasing');
    expect(() => make([0.1, Infinity])).toThrow('buckets must be finite and increasing');
    make([0.1]);
    expect(() => make([0.1])).toThrow(`A metric with the name ${NAME} has already been registered`);
  });
});
