/**
 * Build-time plugins of the app (vite.config.ts):
 *  - `offline`: builds src/offline/sw.ts to sw.js beside index.html and writes into it the list of
 *    every file of the build (and of public/), so the app works offline after the first visit.
 *    A plugin of ~60 lines instead of vite-plugin-pwa: that one pulls in workbox-build (Babel,
 *    Rollup, Terser: about 300 packages) to produce the same precache list; we need no web app
 *    manifest, no runtime-caching recipes and no generated icons.
 *  - `csp`: puts the Content-Security-Policy meta tag into the built index.html. Only in builds:
 *    the dev server injects inline scripts (React refresh) that the policy rightly refuses.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Plugin } from 'vite';

/** Files left out of the precache: KaTeX's fallback formats (browsers that run the app take .woff2). */
const NOT_PRECACHED = /\.(ttf|woff|map)$/;

function listFiles(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out = statSync(p).isDirectory() ? [...out, ...listFiles(p)] : [...out, p];
  }
  return out;
}

export function offline(root: string): Plugin {
  const source = resolve(root, 'src/offline/sw.ts');
  return {
    name: 'argmin-offline',
    apply: 'build',
    enforce: 'post',
    buildStart() {
      this.emitFile({ type: 'chunk', id: source, fileName: 'sw.js' });
    },
    generateBundle(_options, bundle) {
      const publicDir = resolve(root, 'public');
      const publicFiles = listFiles(publicDir).map((f) =>
        relative(publicDir, f).split('\\').join('/'),
      );
      const files = [...new Set([...Object.keys(bundle), ...publicFiles, 'index.html'])]
        .filter((f) => f !== 'sw.js' && !NOT_PRECACHED.test(f))
        .sort();
      const html = bundle['index.html'];
      const hash = createHash('sha256').update(files.join('\n'));
      if (html && html.type === 'asset') hash.update(String(html.source));
      const manifest = { version: hash.digest('hex').slice(0, 16), files: ['./', ...files] };
      const sw = bundle['sw.js'];
      if (!sw || sw.type !== 'chunk') throw new Error('offline: sw.js was not built');
      if (!sw.code.includes('__PRECACHE_MANIFEST__'))
        throw new Error('offline: sw.js has no __PRECACHE_MANIFEST__ to fill in');
      sw.code = sw.code.replace('__PRECACHE_MANIFEST__', JSON.stringify(manifest));
    },
  };
}

/**
 * What the app needs and nothing more: its own scripts, styles and fonts; workers from its own
 * files and from blob: (the solver client keeps its worker's script as a Blob for restarts
 * offline); images from blob: (the Training panel draws its exported SVG into a canvas for PNG); style attributes, which KaTeX's markup carries; fetches of its own files (the worker
 * script, the service worker's cache). WebGPU needs no directive.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "font-src 'self'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

export function csp(): Plugin {
  return {
    name: 'argmin-csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
          injectTo: 'head-prepend',
        },
      ],
    },
  };
}
