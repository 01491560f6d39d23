// Builds the MCP Apps view (mcp-server/results-view.ts serves it as ui://visualref/results-view.html)
// into one self-contained HTML file, web/dist-mcp-app/index.html, from the web app's components.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { inlineIntoHtml } from './inline-html.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  cacheDir: join(tmpdir(), 'visualref-vite-mcp-app'),
  plugins: [react(), tailwindcss(), inlineIntoHtml()],
  build: {
    outDir: join(root, '..', 'dist-mcp-app'),
    emptyOutDir: true,
    modulePreload: false,
    cssCodeSplit: false,
    assetsInlineLimit: Number.MAX_SAFE_INTEGER,
    chunkSizeWarningLimit: 1024,
  },
});
