/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testTimeout: 120_000,
  setupFiles: ['<rootDir>/test/setup-runtime.ts'],
  // Tests share one machine with ffmpeg renders and Temporal servers; two at a time suits 2 cores.
  maxWorkers: 2,
};
