/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

const common = {
  testEnvironment: 'node',
  transform: {
    // The docs page's static files, imported as text (see src/docs/assets.ts).
    '/node_modules/swagger-ui-dist/.+\\.(js|css)$': '<rootDir>/test/helpers/text-transform.js',
    // paseto 4 and p-limit 7 are ESM-only and jest on Node 20 cannot require ESM: transform them too.
    '^.+\\.(t|j|mj)s$': swc,
  },
  transformIgnorePatterns: ['/node_modules/(?!(paseto|p-limit|yocto-queue|swagger-ui-dist)/)'],
};

module.exports = {
  // Once for the whole run: builds dist/ and finds (or starts) a Redis.
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  testTimeout: 20000,
  projects: [
    {
      ...common,
      displayName: 'core',
      // Every test file outside test/hardening: a new test directory runs without being listed.
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/hardening/'],
    },
    {
      // Fault injection (private redis-servers killed, frozen, restarted), fuzzing, timing and
      // process-level tests: slower, so kept apart; `npm test` still runs them.
      ...common,
      displayName: 'hardening',
      testMatch: ['<rootDir>/test/hardening/**/*.test.ts'],
    },
  ],
};
