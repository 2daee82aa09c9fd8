/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/jest.ort-env.js',
  roots: ['<rootDir>/test'],
  testTimeout: 120000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};
