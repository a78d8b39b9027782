/// <reference types="vitest/config" />
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The server (`cargo run`) listens on 3001; `npm run dev` serves the UI on 3000 and proxies
// the API to it.
const server = process.env.LLMCHAT_DEV_SERVER ?? 'http://localhost:3001';

/**
 * Every browser we support reads WOFF2: KaTeX's WOFF and TTF copies would only make the
 * binary larger. Drops them and their `url()`s.
 */
function woff2Only(): Plugin {
  return {
    name: 'llmchat-woff2-only',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      for (const [name, item] of Object.entries(bundle)) {
        if (/\.(woff|ttf)$/.test(name)) delete bundle[name];
        else if (name.endsWith('.css') && item.type === 'asset' && typeof item.source === 'string') {
          item.source = item.source.replace(/,\s*url\([^)]*\.(?:woff|ttf)\)\s*format\("(?:woff|truetype)"\)/g, '');
        }
      }
    },
  };
}

/**
 * Writes `file.gz` next to every compressible output file; the server sends it as is. Done on
 * the written files: chunks are still rewritten (preload lists) after generateBundle.
 */
function precompress(): Plugin {
  return {
    name: 'llmchat-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg|json|txt)$/.test(name)) continue;
        const bytes = await readFile(join(dir, name));
        if (bytes.length < 1024) continue;
        await writeFile(join(dir, `${name}.gz`), gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), woff2Only(), precompress()],
  server: {
    port: 3000,
    proxy: {
      '/api': { target: server, changeOrigin: false },
      '/v1': { target: server, changeOrigin: false },
    },
  },
  build: {
    // Fonts and images as files: the CSP allows no data: fonts.
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
  },
});
