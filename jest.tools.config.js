/** @type {import('jest').Config} `npm run find-seeds`: re-finds the seeds of the seed-scenario tests for a new UNet (test/tools). */
module.exports = {
  ...require('./jest.config.js'),
  roots: ['<rootDir>/test/tools'],
  testMatch: ['**/*.tool.ts'],
  testTimeout: 3600000,
};
