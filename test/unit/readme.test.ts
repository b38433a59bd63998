import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/gatehouse-process';
import { NGINX_EXAMPLE } from '../helpers/nginx';
import { settingNames } from '../../src/config/settings';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  test('its nginx example is examples/nginx/gatehouse.conf, the file the nginx test runs, verbatim', () => {
    expect(readme).toContain('```nginx\n' + readFileSync(NGINX_EXAMPLE, 'utf8') + '```');
  });

  test.each(settingNames)('documents the setting %s', (name) => {
    expect(readme).toContain(`| \`${name}\` |`);
  });

  test.each([
    'GET`, `HEAD` or `POST /auth/verify',
    'GET /sessions/',
    'DELETE /sessions/`',
    'DELETE /sessions/{jti}',
    'PUT /password/',
    'DELETE /account/',
    'POST /oauth2/introspect',
    'POST /oauth2/revoke',
  ])('has a section with curl for %s', (route) => {
    const start = readme.indexOf(`### \`${route}`);
    expect(start).toBeGreaterThan(0);
    const section = readme.slice(start, readme.indexOf('\n### ', start + 1));
    expect(section).toMatch(/```sh\n(.*\n)*?curl /);
  });
});
