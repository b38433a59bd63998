/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  transform: {
    // The docs page's static files, imported as text (see src/docs/swagger-ui-assets.ts).
    '/node_modules/swagger-ui-dist/.+\\.(js|css)$': '<rootDir>/test/helpers/text-transform.js',
    // paseto 4 is ESM-only and jest on Node 20 cannot require ESM: transform it too.
    '^.+\\.(t|j|mj)s$': swc,
  },
  transformIgnorePatterns: ['/node_modules/(?!(paseto|swagger-ui-dist)/)'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  testTimeout: 20000,
};
