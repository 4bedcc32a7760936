/**
 * Helpers of the browser test: a static server for dist/ below a sub-path, independent
 * references (closed-form projections), and readers of the Geometry panel's data-* readout.
 */
import { createServer } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const DIST = join(ROOT, 'dist');
export const OUT = join(ROOT, 'test-results');
/** The site is served below a sub-path to prove the relative base works. */
export const BASE_PATH = '/some/sub-path/';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.wgsl': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function serve() {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(BASE_PATH)) {
      res.writeHead(404).end('outside the sub-path');
      return;
    }
    const rel = decodeURIComponent(url.pathname.slice(BASE_PATH.length)) || 'index.html';
    const file = normalize(join(DIST, rel));
    if (!file.startsWith(DIST + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

// ---- independent references (closed forms, not the app's solver) ----

/** Vertices of the regular pentagon of circumradius 1 with a vertex at 90°. */
export const PENTAGON = Array.from({ length: 5 }, (_, k) => {
  const t = ((90 + 72 * k) * Math.PI) / 180;
  return [Math.cos(t), Math.sin(t)];
});

/** Euclidean projection onto the probability simplex (sort-based; Held, Wolfe & Crowder 1974). */
export function projectSimplex(v) {
  const u = [...v].sort((a, b) => b - a);
  let css = 0;
  let tau = 0;
  for (let i = 0; i < u.length; i++) {
    css += u[i];
    const t = (css - 1) / (i + 1);
    if (u[i] - t > 0) tau = t;
  }
  return v.map((x) => Math.max(x - tau, 0));
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}
export const close = (a, b, tol) => Math.abs(a - b) <= tol;
export const nums = (s) => (s ? s.split(',').map(Number) : []);

// ---- page helpers ----

export async function readout(page) {
  const el = page.getByTestId('geometry-readout');
  await el.waitFor();
  const [status, xstar, what, active] = await Promise.all(
    ['data-status', 'data-xstar', 'data-what', 'data-active'].map((a) => el.getAttribute(a)),
  );
  return { status, xstar: nums(xstar), what: nums(what), active };
}

/** Waits until the readout shows a solve for ŵ = `what` (the worker answers asynchronously). */
export async function readoutFor(page, what, tol = 1e-9) {
  try {
    await page.waitForFunction(
      ([w, t]) => {
        const el = document.querySelector('[data-testid=geometry-readout]');
        const got = el?.getAttribute('data-what')?.split(',').map(Number);
        return (
          got && got.length === 2 && Math.abs(got[0] - w[0]) <= t && Math.abs(got[1] - w[1]) <= t
        );
      },
      [what, tol],
      { timeout: 10_000 },
    );
  } catch {
    const shown = await page.evaluate(() =>
      document.querySelector('.readout')?.textContent?.slice(0, 200),
    );
    throw new Error(
      `no solve for ŵ = (${what}) within 10 s; hash ${(await hashWhat(page)).hash}; readout: ${shown}`,
    );
  }
  return readout(page);
}

export async function hashWhat(page) {
  const hash = await page.evaluate(() => window.location.hash);
  const m = /(?:^#|&)what=([^&]*)/.exec(hash);
  return { hash, what: m ? nums(decodeURIComponent(m[1])) : null };
}

/**
 * Waits until the URL hash contains `part`. The app writes the hash at most every 150 ms
 * (useHashSync), so a change made right after another write reaches the URL up to 150 ms after the
 * view shows it: reading the hash at once is a race.
 */
export async function waitForHash(page, part, timeout = 5000) {
  try {
    await page.waitForFunction((p) => window.location.hash.includes(p), part, { timeout });
  } catch {
    throw new Error(
      `hash lacks ${part} after ${timeout} ms: ${await page.evaluate(() => location.hash)}`,
    );
  }
}

/** Screen position of the center of an element's bounding box. */
export async function center(locator) {
  const b = await locator.boundingBox();
  assert(b, 'element has no bounding box');
  return [b.x + b.width / 2, b.y + b.height / 2];
}

/** Chromium flags: software WebGPU (SwiftShader) and no background traffic. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu-sandbox',
];

/**
 * After a drag: waits until the hash (written at most every 150 ms) and the readout (solved in
 * the worker) both show the same final ŵ, and returns that readout.
 */
export async function settled(page) {
  await page.waitForFunction(
    () => {
      const m = /(?:^#|&)what=([^&]*)/.exec(window.location.hash);
      const el = document.querySelector('[data-testid=geometry-readout]');
      return m && el && decodeURIComponent(m[1]) === el.getAttribute('data-what');
    },
    undefined,
    { timeout: 10_000 },
  );
  return readout(page);
}
