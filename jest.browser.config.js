/** @type {import('jest').Config} `npm run test:browser`: the demo page in Chromium (test/web). */
module.exports = {
  testEnvironment: '<rootDir>/jest.ort-env.js',
  roots: ['<rootDir>/test/web'],
  testMatch: ['**/*.browser.ts'],
  testTimeout: 300000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};
