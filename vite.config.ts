import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { csp, offline } from './scripts/vite-plugins.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

// Relative base so the built site works from any static host or sub-path.
export default defineConfig({
  base: './',
  plugins: [react(), offline(root), csp()],
  worker: { format: 'es' },
  // No data: URLs: every asset is a file, which the Content-Security-Policy allows and the
  // service worker caches.
  build: { target: 'es2022', chunkSizeWarningLimit: 1500, assetsInlineLimit: 0 },
});
