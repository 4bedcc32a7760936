/**
 * Shared by the classroom browser cases (classroom*.mjs): the window sizes, a fresh browser context
 * per case that fails on console errors and Content-Security-Policy violations, and readers of the
 * page.
 */
import { assert } from './harness.mjs';

export const SIZES = [
  { name: '320', width: 320, height: 640 },
  { name: '390', width: 390, height: 844 },
  { name: '1440', width: 1440, height: 900 },
  { name: '1920', width: 1920, height: 1080 },
];
export const PANELS = ['geometry', 'envelopes', 'training', 'benchmarks', 'lessons'];

/** The policy the build writes (scripts/vite-plugins.ts), directive by directive. */
export const CSP = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'style-src-attr': ["'unsafe-inline'"],
  'font-src': ["'self'"],
  'img-src': ["'self'", 'blob:'],
  'connect-src': ["'self'"],
  'worker-src': ["'self'", 'blob:'],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'none'"],
};

/** Helpers bound to the browser and the app's URL. */
export function classroomHelpers(page, url) {
  const browser = page.context().browser();

  /**
   * Runs `fn` in a fresh context at a size. Console errors, page errors and CSP violations (an
   * init script listens for them, outside the page's policy) fail the case.
   */
  async function inContext(size, fn, options = {}) {
    const ctx = await browser.newContext({
      viewport: { width: size.width, height: size.height },
      deviceScaleFactor: 1,
      serviceWorkers: options.serviceWorkers ?? 'block',
      hasTouch: options.hasTouch ?? false,
    });
    const p = await ctx.newPage();
    const errors = [];
    p.on('console', (m) => m.type() === 'error' && !options.allowErrors && errors.push(m.text()));
    p.on('pageerror', (e) => errors.push(e.message));
    await p.addInitScript(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__csp.push(`${e.violatedDirective}: ${e.blockedURI}`),
      );
    });
    const waitForFunction = p.waitForFunction.bind(p);
    p.waitForFunction = (f, arg, o) => waitForFunction(f, arg, { polling: 100, ...o });
    try {
      await fn(p, ctx);
      const csp = await p.evaluate(() => window.__csp).catch(() => []);
      if (!options.allowViolations)
        assert(csp.length === 0, `Content-Security-Policy violations: ${csp.join('; ')}`);
      assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
    } finally {
      await ctx.close();
    }
  }

  const open = async (p, hash) => {
    await p.goto(`${url}#${hash}`);
    await p.getByTestId('engine-badge').waitFor();
  };
  /** The panel is shown and its main content is there. */
  const ready = async (p, panel) => {
    if (panel === 'geometry')
      await p
        .locator('[data-testid=geometry-readout][data-status]')
        .waitFor({ state: 'attached', timeout: 15_000 });
    else if (panel === 'envelopes')
      await p.getByTestId('envelope-readout').waitFor({ timeout: 30_000 });
    else if (panel === 'benchmarks')
      await p
        .getByTestId('bench-adapter')
        .filter({ hasText: 'adapter' })
        .waitFor({ timeout: 15_000 });
    else if (panel === 'training') await p.getByTestId('training-controls').waitFor();
    else await p.getByTestId(`placeholder-${panel}`).waitFor();
  };
  /** The Geometry readout shows a solve for ŵ (it may be folded away in presenter mode). */
  const solvedFor = (p, what) =>
    p
      .locator(`[data-testid=geometry-readout][data-what="${what}"][data-status]`)
      .waitFor({ state: 'attached', timeout: 15_000 });
  const overflow = (p) =>
    p.evaluate(() => ({
      scroll: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
      width: window.innerWidth,
    }));
  const box = async (p, sel) => {
    const b = await p.locator(sel).first().boundingBox();
    assert(b, `${sel} has no box`);
    return b;
  };

  const handleState = (p, id) =>
    p.evaluate(
      (testid) => {
        const h = document.querySelector(`[data-testid=${testid}]`);
        const svg = h.ownerSVGElement.getBoundingClientRect();
        const b = h.getBoundingClientRect();
        return {
          pinned: h.getAttribute('data-pinned') === '1',
          cx: b.x + b.width / 2,
          cy: b.y + b.height / 2,
          inside:
            b.x >= svg.x - 1 &&
            b.y >= svg.y - 1 &&
            b.right <= svg.right + 1 &&
            b.bottom <= svg.bottom + 1,
          svg: { x: svg.x, y: svg.y, w: svg.width, h: svg.height },
        };
      },
      id === 'w' ? 'w-handle' : 'what-handle',
    );
  const hashVec = async (p, key) => {
    const h = await p.evaluate(() => location.hash);
    const m = new RegExp(`(?:^#|&)${key}=([^&]*)`).exec(h);
    return m ? decodeURIComponent(m[1]) : null;
  };
  return { inContext, open, ready, solvedFor, overflow, box, handleState, hashVec };
}
