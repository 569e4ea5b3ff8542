import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['sdk/**/*.test.ts', 'collector/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Browser and server tests open ports and files; two cores are all we have.
    maxWorkers: 2,
  },
})
