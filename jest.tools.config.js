/** @type {import('jest').Config} `npm run find-seeds`: re-finds the seeds of the seed-scenario tests for a new UNet (test/tools). */
module.exports = {
  testEnvironment: '<rootDir>/jest.ort-env.js',
  roots: ['<rootDir>/test/tools'],
  testMatch: ['**/*.tool.ts'],
  testTimeout: 3600000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};
