import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte()],
  test: {
    include: ['tests/**/*.test.ts', 'client/src/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real servers and browsers: keep parallelism modest on 2 cores.
    maxWorkers: 2,
    // Svelte's runes need the browser build of svelte for *.svelte.test.ts files.
    server: { deps: { inline: [/svelte/] } },
    resolve: { conditions: ['browser'] },
    allowOnly: false,
  },
});
