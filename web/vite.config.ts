// Builds the chat web app into web/dist, which `visualref serve` serves at /.
// `npx vite --config web/vite.config.ts` runs a dev server that proxies /api to a running serve.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  // node_modules may be a shared install: keep Vite's dependency cache out of it.
  cacheDir: join(tmpdir(), 'visualref-vite'),
  plugins: [react(), tailwindcss()],
  // The AI SDK client (with its zod message schemas) is most of the bundle: ~140 kB gzipped, one file.
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 700 },
  server: { proxy: { '/api': process.env.VISUALREF_API ?? 'http://127.0.0.1:7420' } },
});
