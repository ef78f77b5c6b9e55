import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['spec/**/*.spec.ts'],
    // Socket and end-to-end tests wait on real events with their own deadlines.
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
