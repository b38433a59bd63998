import { loadConfig } from '../../src/config/load';
import { problemsOf } from '../helpers/config-problems';

const METRICS_PORT_RULE = 'METRICS_PORT: must be a whole number from 0 to 65535, or empty to serve metrics on PORT';

describe('METRICS_PORT', () => {
  test.each([
    ['', null],
    ['9100', 9100],
    [' 9100 ', 9100],
    ['0', 0],
    ['65535', 65535],
  ])('%j is %j', (value, expected) => {
    expect(loadConfig({ env: { METRICS_PORT: value } }).METRICS_PORT).toBe(expected);
  });

  test('none by default (null in config/default.json)', () => {
    expect(loadConfig({ env: {} }).METRICS_PORT).toBeNull();
  });

  test.each(['abc', '70000', '-1', '1.5', ' ', 'true'])('%j: the message says what it accepts', (value) => {
    expect(problemsOf(() => loadConfig({ env: { METRICS_PORT: value } }))).toEqual([METRICS_PORT_RULE]);
  });

  test('equal to PORT is a problem of the configuration', () => {
    expect(problemsOf(() => loadConfig({ env: { PORT: '9000', METRICS_PORT: '9000' } }))).toEqual([
      'METRICS_PORT: must differ from PORT (9000)',
    ]);
    // PORT's default, 8080.
    expect(problemsOf(() => loadConfig({ env: { METRICS_PORT: '8080' } }))).toEqual(['METRICS_PORT: must differ from PORT (8080)']);
  });

  test('both 0 is fine: each listener gets a free port of its own', () => {
    expect(loadConfig({ env: { PORT: '0', METRICS_PORT: '0' } })).toMatchObject({ PORT: 0, METRICS_PORT: 0 });
  });

  test('an invalid PORT is reported alone, not compared', () => {
    expect(problemsOf(() => loadConfig({ env: { PORT: 'eighty', METRICS_PORT: '80' } }))).toEqual(['PORT: must be a whole number']);
  });
});

describe('true/false settings', () => {
  test.each([
    ['1', true],
    ['true', true],
    [' Yes ', true],
    ['ON', true],
    ['0', false],
    ['false', false],
    ['no', false],
    ['off', false],
    ['', false],
  ])('%j is %j', (value, expected) => {
    expect(loadConfig({ env: { TRUST_PROXY: value } }).TRUST_PROXY).toBe(expected);
  });

  test.each(['maybe', '2', 'y'])('%j: the message lists what is accepted', (value) => {
    expect(problemsOf(() => loadConfig({ env: { TRUST_PROXY: value, TOKEN_WORKER: value, REDIS_TLS: value } }))).toEqual([
      'REDIS_TLS: must be true or false (also 1/0, yes/no, on/off)',
      'TOKEN_WORKER: must be true or false (also 1/0, yes/no, on/off)',
      'TRUST_PROXY: must be true or false (also 1/0, yes/no, on/off)',
    ]);
  });
});
