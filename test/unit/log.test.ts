import { Writable } from 'node:stream';
import { createLogger } from '../../src/log';

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
