import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const alias = { $shared: fileURLToPath(new URL('./shared', import.meta.url)) };

const shared = {
  globalSetup: ['tests/helpers/global-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  allowOnly: false,
};

export default defineConfig({
  test: {
    // Integration tests start real servers and browsers: keep parallelism modest on 2 cores.
    maxWorkers: 2,
    projects: [
      {
        resolve: { alias },
        test: {
          ...shared,
          name: 'node',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/**/*.svelte.test.ts'],
          environment: 'node',
        },
      },
      {
        // Rune modules (*.svelte.ts) need the browser build of Svelte, where $effect runs.
        plugins: [svelte()],
        resolve: { conditions: ['browser'], alias },
        test: {
          ...shared,
          name: 'runes',
          include: ['tests/**/*.svelte.test.ts', 'client/src/**/*.svelte.test.ts'],
          // A DOM environment makes Vite compile components and rune modules for the
          // client, where $effect exists (the server build drops effects).
          environment: 'happy-dom',
          server: { deps: { inline: [/svelte/] } },
        },
      },
    ],
  },
});
