import { createMetrics } from '../../src/metrics';

describe('request metrics', () => {
  const countLine = (text: string, labels: string) =>
    text.split('\n').find((line) => line.startsWith(`gatehouse_http_requests_total{${labels}}`));

  test('the request count is the latency histogram count, by method, route and status, scrape after scrape', async () => {
    const metrics = createMetrics({ collectDefaults: false });
    for (let i = 0; i < 5; i += 1) metrics.observeRequest('GET', '/dashboard', 200, 0.001);
    metrics.observeRequest('GET', '/dashboard', 401, 0.002);
    metrics.observeRequest('POST', '/login', 200, 0.02);
    for (let scrape = 0; scrape < 3; scrape += 1) {
      const text = await metrics.registry.metrics();
      expect(countLine(text, 'method="GET",route="/dashboard",status="200"')).toBe('gatehouse_http_requests_total{method="GET",route="/dashboard",status="200"} 5');
      expect(countLine(text, 'method="GET",route="/dashboard",status="401"')).toMatch(/ 1$/);
      expect(countLine(text, 'method="POST",route="/login",status="200"')).toMatch(/ 1$/);
      expect(text).toContain('gatehouse_http_request_duration_seconds_count{method="GET",route="/dashboard",status="200"} 5');
      expect(text).toContain('gatehouse_logins_total{outcome="success"} 1');
    }
    metrics.observeRequest('GET', '/dashboard', 200, 0.001);
    expect(countLine(await metrics.registry.metrics(), 'method="GET",route="/dashboard",status="200"')).toMatch(/ 6$/);
  });

  test('scrapes at the same time each see the count once', async () => {
    const metrics = createMetrics({ collectDefaults: false });
    for (let i = 0; i < 5; i += 1) metrics.observeRequest('GET', '/healthz', 200, 0.001);
    const texts = await Promise.all([metrics.registry.metrics(), metrics.registry.metrics(), metrics.registry.metrics()]);
    for (const text of texts) expect(countLine(text, 'method="GET",route="/healthz",status="200"')).toMatch(/ 5$/);
  });
});
