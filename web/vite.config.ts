import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Two pages: the trading page at / (served by `npm start` and the web service) and the operator
// console (served by the admin port at /console). Every asset is bundled into dist/assets, so a
// page never loads anything from another host.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        trade: resolve(import.meta.dirname, 'index.html'),
        console: resolve(import.meta.dirname, 'console.html'),
      },
    },
  },
});
