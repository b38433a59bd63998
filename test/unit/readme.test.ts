import { existsSync, readFileSync } from 'node:fs';
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
    'GET /openapi.json` and `GET /docs',
  ])('has a section with curl for %s', (route) => {
    const start = readme.indexOf(`### \`${route}`);
    expect(start).toBeGreaterThan(0);
    const section = readme.slice(start, readme.indexOf('\n### ', start + 1));
    expect(section).toMatch(/```sh\n(.*\n)*?curl /);
  });

  test('every route section of "The API" says where to try it: /docs', () => {
    const api = readme.slice(readme.indexOf('\n## The API'), readme.indexOf('\n## ', readme.indexOf('\n## The API') + 1));
    const sections = api.split('\n### ').slice(1);
    expect(sections.length).toBeGreaterThan(15);
    for (const section of sections) expect([section.split('\n')[0], section.includes('/docs')]).toEqual([section.split('\n')[0], true]);
  });

  test('tells how to run the Postman collection with newman', () => {
    expect(existsSync(join(ROOT, 'postman/gatehouse.postman_collection.json'))).toBe(true);
    expect(readme).toContain('npx newman run postman/gatehouse.postman_collection.json --env-var baseUrl=http://127.0.0.1:8080');
    expect(readme).toContain('npm run postman');
  });
});
