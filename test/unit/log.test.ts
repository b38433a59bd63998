import { Writable } from 'node:stream';
import pino from 'pino';
import { createLogger, requestLineWriter, type RequestLine } from '../../src/log';

test('the logger redacts the token headers and the password fields of account changes', () => {
  const lines: string[] = [];
  const log = createLogger('info', new Writable({ write: (chunk, _encoding, callback) => (lines.push(String(chunk)), callback()) }));
  log.info(
    {
      req: { headers: { 'x-auth-token': 'SECRET-1', authorization: 'SECRET-2', 'user-agent': 'curl' } },
      body: { new_password: 'SECRET-3', current_password: 'SECRET-4', password: 'SECRET-5' },
    },
    'request',
  );
  const line = JSON.parse(lines.join(''));
  expect(line.req.headers).toEqual({ 'x-auth-token': '[redacted]', authorization: '[redacted]', 'user-agent': 'curl' });
  expect(line.body).toEqual({ new_password: '[redacted]', current_password: '[redacted]', password: '[redacted]' });
});

describe('request lines', () => {
  const capture = (level = 'info') => {
    const lines: string[] = [];
    const log = createLogger(level, new Writable({ write: (chunk, _encoding, callback) => (lines.push(String(chunk)), callback()) }));
    return { log, lines };
  };
  // The time is the only part that may differ between two lines written a moment apart.
  const withoutTime = (line: string) => line.replace(/,"time":"[^"]+"/, '');
  const fields: RequestLine[] = [
    { req_id: '8d4f6a0e-1c2b-4d3e-9f80-a1b2c3d4e5f6', method: 'GET', route: '/dashboard', path: '/dashboard/', status: 200, duration_ms: 1.234 },
    { req_id: 'trace:1.2_3-4', method: 'POST', route: '/login', path: '/login', status: 401, duration_ms: 16.5 },
    { req_id: 'x', method: 'DELETE', route: 'unmatched', path: '/a"b\\c\u0001/\u00e9\u2028', status: 404, duration_ms: 0 },
    { req_id: 'y', method: 'PUT', route: '/sessions/:jti', path: '/sessions/' + 'z'.repeat(300), status: 503, duration_ms: 1234567.891 },
  ];

  test.each(fields)('are the line pino writes for the same fields (%#)', (line) => {
    const ours = capture();
    requestLineWriter(ours.log)(line);
    const pinos = capture();
    pinos.log.child({ event: 'request' }).info(line, 'request');
    expect(ours.lines).toHaveLength(1);
    expect(withoutTime(ours.lines[0]!)).toBe(withoutTime(pinos.lines[0]!));
    const parsed = JSON.parse(ours.lines[0]!);
    expect(parsed).toEqual({ level: 30, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), service: 'gatehouse', event: 'request', ...line, msg: 'request' });
    expect(Math.abs(Date.parse(parsed.time) - Date.now())).toBeLessThan(5_000);
  });

  test('follow the level: none below info', () => {
    const { log, lines } = capture('warn');
    requestLineWriter(log)(fields[0]!);
    expect(lines).toEqual([]);
  });

  test('of a logger made elsewhere go through pino', () => {
    const lines: string[] = [];
    const other = pino({ base: { app: 'other' }, timestamp: false }, new Writable({ write: (chunk, _encoding, callback) => (lines.push(String(chunk)), callback()) }));
    requestLineWriter(other)(fields[1]!);
    expect(JSON.parse(lines[0]!)).toEqual({ level: 30, app: 'other', event: 'request', ...fields[1]!, msg: 'request' });
  });
});
