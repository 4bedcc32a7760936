/**
 * Browser cases for issue 11, "Ready for the classroom": the layout from 320 px to 1920 px (and
 * presenter mode), plots that never lose a point, the ADMM step-through, citations and the
 * glossary, the QR code, copy link and seed, offline after the first visit, axe-core, and the
 * Content-Security-Policy. Each case opens its own browser context at its own size and fails on any
 * console error in it. Called from run.mjs.
 */
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import jsQR from 'jsqr';
import { assert, close, nums, OUT, readoutFor } from './harness.mjs';
import { decodePng } from './png.mjs';

export const SIZES = [
  { name: '320', width: 320, height: 640 },
  { name: '390', width: 390, height: 844 },
  { name: '1440', width: 1440, height: 900 },
  { name: '1920', width: 1920, height: 1080 },
];
const PANELS = ['geometry', 'envelopes', 'training', 'benchmarks', 'lessons'];

/** The policy the build writes (scripts/vite-plugins.ts), directive by directive. */
const CSP = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'style-src-attr': ["'unsafe-inline'"],
  'font-src': ["'self'"],
  'img-src': ["'self'"],
  'connect-src': ["'self'"],
  'worker-src': ["'self'", 'blob:'],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'none'"],
};

export async function classroomCases({ page, named, url }) {
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

  // ---- Layout ----

  for (const size of SIZES) {
    for (const present of [false, true]) {
      const mode = present ? ', presenter mode' : '';
      await named(
        `layout ${size.width}×${size.height}${mode}: every panel without horizontal scrolling`,
        () =>
          inContext(size, async (p) => {
            for (const panel of PANELS) {
              await open(
                p,
                `panel=${panel}&present=${present ? 1 : 0}${panel === 'geometry' ? '&admm=1' : ''}`,
              );
              await ready(p, panel);
              const o = await overflow(p);
              assert(
                o.scroll <= o.width,
                `${panel}: the page is ${o.scroll} px wide in a ${o.width} px window`,
              );
              if (panel === 'geometry' || panel === 'envelopes') {
                // The plot fills its container's width (the card's content box).
                const sel = panel === 'geometry' ? '.geometry-plot' : '.envelope-plot';
                const c = await box(p, sel);
                const s = await box(p, `${sel} svg`);
                assert(
                  Math.abs(s.width - c.width) <= 1.5,
                  `${panel}: plot ${s.width} px in a ${c.width} px container`,
                );
              }
              if (panel === 'geometry') {
                const plot = await box(p, '[data-testid=geometry-svg]');
                const side = await box(p, '.geometry-side');
                if (size.width < 900) {
                  // Stacked: the plot first, then the controls, each the full width.
                  assert(
                    plot.y + plot.height <= side.y,
                    `${size.width}: controls beside or above the plot`,
                  );
                } else
                  assert(
                    side.x >= plot.x + plot.width,
                    `${size.width}: controls not beside the plot`,
                  );
                const share = plot.width / size.width;
                if (present)
                  console.log(
                    `       ${size.width}×${size.height} presenter: the plot is ${(100 * share).toFixed(0)}% of the width`,
                  );
                if (present && size.width === 1920) {
                  assert(
                    share >= 0.6,
                    `presenter at 1920: the plot is ${(100 * share).toFixed(1)}% of the width`,
                  );
                  // The key readout beside it, within the plot's height; the page needs no scrolling.
                  const key = await box(p, '[data-testid=key-readout]');
                  assert(
                    key.x >= plot.x + plot.width && key.y < plot.y + plot.height,
                    'key readout not beside the plot',
                  );
                  const h = await p.evaluate(
                    () => document.documentElement.scrollHeight - innerHeight,
                  );
                  assert(h <= 0, `presenter at 1920 scrolls by ${h} px`);
                }
              }
              await p.screenshot({
                path: join(OUT, `layout-${size.name}${present ? '-present' : ''}-${panel}.png`),
              });
            }
          }),
      );
    }
  }

  await named(
    'presenter mode: a button and present=1, large type, thick strokes, high contrast, full screen',
    () =>
      inContext(SIZES[3], async (p) => {
        await open(p, 'panel=geometry&what=1.2,0.4');
        await readoutFor(p, [1.2, 0.4]);
        const style = () =>
          p.evaluate(() => {
            const edge = document.querySelector('.geometry-svg .edge.active line');
            const rule = getComputedStyle(document.body);
            return {
              font: parseFloat(rule.fontSize),
              edge: edge ? parseFloat(getComputedStyle(edge).strokeWidth) : 0,
              muted: getComputedStyle(document.documentElement).getPropertyValue('--muted').trim(),
            };
          });
        const before = await style();
        await p.getByTestId('present-on').click();
        await p.waitForFunction(() => /(?:^#|&)present=1(&|$)/.test(location.hash));
        await p.getByTestId('key-readout').waitFor();
        const after = await style();
        assert(
          after.font >= 20 && after.font > before.font,
          `type ${before.font} → ${after.font} px`,
        );
        assert(
          after.edge >= 6 && after.edge > before.edge,
          `active edge ${before.edge} → ${after.edge} px`,
        );
        // High contrast: secondary text at least 7:1 on white (WCAG AAA).
        const lum = (hex) =>
          [1, 3, 5]
            .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
            .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
            .reduce((s, c, i) => s + c * [0.2126, 0.7152, 0.0722][i], 0);
        const ratio = 1.05 / (lum(after.muted) + 0.05);
        assert(ratio >= 7, `secondary text contrast ${ratio.toFixed(1)}:1 in presenter mode`);
        await p.getByTestId('fullscreen').click();
        await p.waitForFunction(() => document.fullscreenElement !== null, undefined, {
          timeout: 5000,
        });
        await p.getByTestId('present-off').click();
        await p.waitForFunction(() => /(?:^#|&)present=0(&|$)/.test(location.hash));
        await p.waitForFunction(() => document.fullscreenElement === null);
        assert((await p.getByTestId('key-readout').count()) === 0, 'key readout left after exit');
      }),
  );

  await named('presenter mode: the QR code decodes to the current link, and follows the view', () =>
    inContext(SIZES[3], async (p) => {
      await open(p, 'panel=geometry&present=1&what=1.2,0.4');
      await solvedFor(p, '1.2,0.4');
      const decode = async () => {
        const qr = p.getByTestId('share-qr');
        const png = decodePng(await qr.locator('svg').screenshot());
        const code = jsQR(png.data, png.width, png.height);
        assert(code, 'the QR code does not decode');
        return { text: code.data, url: await qr.getAttribute('data-url') };
      };
      let q = await decode();
      assert(q.text === q.url, `QR says ${q.text}, the page's link is ${q.url}`);
      assert(q.text.startsWith(url) && !/present=1/.test(q.text), `QR link ${q.text}`);
      // Opening the decoded link shows the same view (presenter mode off).
      const here = await p.evaluate(() => location.hash);
      const other = await p.context().newPage();
      await other.goto(q.text);
      await other.getByTestId('engine-badge').waitFor();
      await other.waitForFunction(
        (h) => location.hash === h,
        here.replace('present=1', 'present=0'),
      );
      await other.close();
      // Moving ŵ changes the link and the code.
      await p.getByTestId('presenter-more-summary').click();
      await p.getByTestId('control-what-0').fill('0.25');
      await p.getByTestId('control-what-1').fill('1.6');
      await solvedFor(p, '0.25,1.6');
      await p.waitForFunction(() =>
        document
          .querySelector('[data-testid=share-qr]')
          ?.getAttribute('data-url')
          ?.includes('what=0.25,1.6'),
      );
      q = await decode();
      assert(
        q.text === q.url && q.text.includes('what=0.25,1.6'),
        `after a move the QR says ${q.text}`,
      );
      await p.getByTestId('share-qr').screenshot({ path: join(OUT, 'presenter-qr.png') });
    }),
  );

  // ---- Plots that never lose a point ----

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

  await named('plots: the view fits the set, ŵ and w, wherever they are', () =>
    inContext(SIZES[2], async (p) => {
      await open(p, 'panel=geometry&what=6,5&w=-7,-4');
      await readoutFor(p, [6, 5]);
      for (const id of ['what', 'w']) {
        const s = await handleState(p, id);
        assert(s.inside && !s.pinned, `${id}: ${JSON.stringify(s)}`);
      }
      const v = await p.getByTestId('feasible-vertex').count();
      assert(v === 5, `${v} pentagon vertices drawn`);
      assert((await hashVec(p, 'gview')) === 'fit', 'the view is not the fitted one');
    }),
  );

  await named(
    'plots: zoomed in, an off-view handle is pinned to the edge with an arrow and stays draggable',
    () =>
      inContext(SIZES[2], async (p) => {
        await open(p, 'panel=geometry&what=1.2,0.4&w=-0.4,-0.3');
        await readoutFor(p, [1.2, 0.4]);
        // Zoom in about the centre (0.8× the span per step) until ŵ leaves the view.
        for (let i = 0; i < 4; i++) await p.getByTestId('zoom-in').click();
        await p.waitForFunction(() => /gview=[-\d.]+,[-\d.]+,[\d.]+/.test(location.hash));
        await p.locator('[data-testid=what-handle][data-pinned="1"]').waitFor();
        let s = await handleState(p, 'what');
        assert(s.inside, `the pinned ŵ is not inside the plot: ${JSON.stringify(s)}`);
        assert(
          await p.locator('[data-testid=what-handle] .pin-arrow').isVisible(),
          'no arrow on the pinned ŵ',
        );
        assert(
          (await p.getByTestId('label-what').textContent()).includes('(1.20, 0.40)'),
          'pinned label lacks ŵ’s value',
        );
        // Press on the pinned handle and drag it inward: ŵ comes into view under the pointer.
        const target = [s.svg.x + s.svg.w * 0.55, s.svg.y + s.svg.h * 0.45];
        await p.mouse.move(s.cx, s.cy);
        await p.mouse.down();
        await p.mouse.move(target[0], target[1], { steps: 12 });
        await p.mouse.up();
        await p.locator('[data-testid=what-handle][data-pinned="0"]').waitFor();
        s = await handleState(p, 'what');
        assert(
          close(s.cx, target[0], 2) && close(s.cy, target[1], 2),
          `ŵ drawn at ${s.cx},${s.cy}, released at ${target}`,
        );
        const what = nums(await hashVec(p, 'what'));
        assert(!(close(what[0], 1.2, 1e-9) && close(what[1], 0.4, 1e-9)), 'ŵ did not move');
        await readoutFor(p, what);
        // Fit brings back the fitted view.
        await p.getByTestId('zoom-fit').click();
        await p.waitForFunction(() => /(?:^#|&)gview=fit(&|$)/.test(location.hash));
      }),
  );

  await named(
    'plots: a handle dragged past the view stays visible, then the view grows to hold it',
    () =>
      inContext(SIZES[2], async (p) => {
        await open(p, 'panel=geometry&what=1.2,0.4');
        await readoutFor(p, [1.2, 0.4]);
        const s = await handleState(p, 'what');
        const span0 = Number(
          (await p.getByTestId('geometry-svg').getAttribute('data-view')).split(',')[2],
        );
        // Out through the right edge, 150 px past it (pointer capture keeps the drag).
        const out = [s.svg.x + s.svg.w + 150, s.cy];
        await p.mouse.move(s.cx, s.cy);
        await p.mouse.down();
        await p.mouse.move(out[0], out[1], { steps: 20 });
        const during = await handleState(p, 'what');
        assert(during.pinned && during.inside, `while dragged out: ${JSON.stringify(during)}`);
        await p.mouse.up();
        await p.locator('[data-testid=what-handle][data-pinned="0"]').waitFor();
        const after = await handleState(p, 'what');
        assert(after.inside, `after the drag ŵ is outside the view: ${JSON.stringify(after)}`);
        const span1 = Number(
          (await p.getByTestId('geometry-svg').getAttribute('data-view')).split(',')[2],
        );
        assert(span1 > span0, `the view did not grow (${span0} → ${span1})`);
        const what = nums(await hashVec(p, 'what'));
        assert(what[0] > 2, `ŵ = ${what} was not dragged out to the right`);
        // Still draggable: back toward the set.
        await p.mouse.move(after.cx, after.cy);
        await p.mouse.down();
        await p.mouse.move(after.cx - 120, after.cy, { steps: 10 });
        await p.mouse.up();
        await p.waitForFunction((x) => {
          const m = /(?:^#|&)what=([^&,]*)/.exec(location.hash);
          return m && Number(m[1]) < x - 0.1;
        }, what[0]);
      }),
  );

  await named('plots: wheel zoom about the pointer, background drag pans, a click places ŵ', () =>
    inContext(SIZES[2], async (p) => {
      await open(p, 'panel=geometry&what=1.2,0.4');
      await readoutFor(p, [1.2, 0.4]);
      const svg = p.getByTestId('geometry-svg');
      const view = async () => nums(await svg.getAttribute('data-view'));
      const v0 = await view();
      const b = await svg.boundingBox();
      await p.mouse.move(b.x + b.width * 0.3, b.y + b.height * 0.7);
      await p.mouse.wheel(0, -300);
      await p.waitForFunction(() => /gview=[-\d.]+,/.test(location.hash));
      const v1 = await view();
      assert(v1[2] < v0[2], `wheel up did not zoom in: span ${v0[2]} → ${v1[2]}`);
      // Pan: drag the background 100 px right; the centre moves 100 px left in plot units.
      const ppu = (Math.min(b.width, b.height) - 32) / v1[2];
      const from = [b.x + 40, b.y + b.height - 60];
      await p.mouse.move(from[0], from[1]);
      await p.mouse.down();
      await p.mouse.move(from[0] + 100, from[1], { steps: 8 });
      await p.mouse.up();
      await p.waitForFunction((cx) => {
        const v = document
          .querySelector('[data-testid=geometry-svg]')
          .getAttribute('data-view')
          .split(',')
          .map(Number);
        return Math.abs(v[0] - cx) > 1e-6;
      }, v1[0]);
      const v2 = await view();
      assert(
        close(v2[0], v1[0] - 100 / ppu, 0.02) && close(v2[1], v1[1], 0.02),
        `pan moved the centre ${v1} → ${v2}`,
      );
      const whatBefore = await hashVec(p, 'what');
      assert(whatBefore === '1.2,0.4', `panning moved ŵ to ${whatBefore}`);
      // A click (no movement) on the background puts ŵ there.
      await p.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
      await p.waitForFunction(() => !/(?:^#|&)what=1\.2,0\.4(&|$)/.test(location.hash));
      const w = nums(await hashVec(p, 'what'));
      assert(
        close(w[0], v2[0], 0.02) && close(w[1], v2[1], 0.02),
        `click at the centre put ŵ at ${w}, centre ${v2}`,
      );
    }),
  );

  await named('plots: touch drags ŵ, and two fingers pinch to zoom (390×844, touch)', () =>
    inContext(
      SIZES[1],
      async (p, ctx) => {
        await open(p, 'panel=geometry&what=1.2,0.4');
        await readoutFor(p, [1.2, 0.4]);
        const cdp = await ctx.newCDPSession(p);
        const touch = (type, points) =>
          cdp.send('Input.dispatchTouchEvent', {
            type,
            touchPoints: points.map(([x, y], id) => ({ x, y, id })),
          });
        const s = await handleState(p, 'what');
        await touch('touchStart', [[s.cx + 6, s.cy + 4]]);
        for (let i = 1; i <= 10; i++)
          await touch('touchMove', [[s.cx + 6 - 8 * i, s.cy + 4 + 3 * i]]);
        await touch('touchEnd', []);
        await p.waitForFunction(() => !/(?:^#|&)what=1\.2,0\.4(&|$)/.test(location.hash));
        const what = nums(await hashVec(p, 'what'));
        assert(what[0] < 1.2 && what[1] < 0.4, `a touch drag left and down moved ŵ to ${what}`);
        const svg = p.getByTestId('geometry-svg');
        const span0 = nums(await svg.getAttribute('data-view'))[2];
        const b = await svg.boundingBox();
        const c = [b.x + b.width / 2, b.y + b.height * 0.8];
        await touch('touchStart', [
          [c[0] - 30, c[1]],
          [c[0] + 30, c[1]],
        ]);
        for (let i = 1; i <= 10; i++)
          await touch('touchMove', [
            [c[0] - 30 - 6 * i, c[1]],
            [c[0] + 30 + 6 * i, c[1]],
          ]);
        await touch('touchEnd', []);
        await p.waitForFunction(() => /gview=[-\d.]+,/.test(location.hash));
        const span1 = nums(await svg.getAttribute('data-view'))[2];
        // The fingers end three times as far apart (60 → 180 px): the span shrinks threefold.
        assert(
          close(span1, span0 / 3, 0.03 * span0),
          `pinching out to three times the distance: span ${span0} → ${span1}`,
        );
      },
      { hasTouch: true },
    ),
  );

  await named(
    'plots: labels never overlap each other; short arrows become dots with a tooltip',
    () =>
      inContext(SIZES[2], async (p) => {
        const overlaps = () =>
          p.evaluate(() => {
            const boxes = [
              ...[...document.querySelectorAll('.geometry-svg .labels text')].map((t) => ({
                id: t.textContent,
                b: t.getBoundingClientRect(),
              })),
              ...[...document.querySelectorAll('.geometry-svg .edge-badge')].map((c, i) => ({
                id: `badge ${i}`,
                b: c.getBoundingClientRect(),
              })),
            ];
            const out = [];
            for (let i = 0; i < boxes.length; i++)
              for (let j = i + 1; j < boxes.length; j++) {
                const a = boxes[i].b;
                const b = boxes[j].b;
                const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
                const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
                if (dx > 1 && dy > 1) out.push(`${boxes[i].id} × ${boxes[j].id}`);
              }
            return { out, n: boxes.length };
          });
        for (const hash of [
          'preset=polygon&what=1.2,0.4',
          'preset=polygon&what=0.25,1.6',
          'preset=simplex&what=0.8,0.45',
          'preset=simplex&what=1.1,0.05',
          'preset=custom&what=1.4,1.2',
        ]) {
          await open(p, `panel=geometry&${hash}`);
          await p.locator('[data-testid=geometry-readout][data-status=solved]').waitFor();
          await p
            .getByTestId('gradient-readout')
            .locator('[data-what]')
            .or(p.locator('[data-testid=gradient-readout][data-what]'))
            .first()
            .waitFor();
          const r = await overlaps();
          assert(r.n >= 4 && r.out.length === 0, `${hash}: overlapping labels ${r.out.join(', ')}`);
        }
        // Zoomed far out, the updates are shorter than their arrowheads: dots, each with a tooltip.
        await open(p, 'panel=geometry&preset=polygon&what=1.2,0.4&gview=0,0,150');
        await p.locator('[data-testid=gradient-readout][data-what]').waitFor();
        const dot = p.locator('[data-short="1"]').first();
        await dot.waitFor();
        assert(
          /shorter than its arrowhead/.test(await dot.locator('title').textContent()),
          'a short arrow has no tooltip',
        );
      }),
  );

  await named('plots: switching preset resets ŵ and w to that set’s and fits the view', () =>
    inContext(SIZES[2], async (p) => {
      await open(p, 'panel=geometry&preset=polygon&what=3,3&w=-8,6&gview=1,1,2');
      await readoutFor(p, [3, 3]);
      await p.getByTestId('control-preset').selectOption('simplex');
      await p.waitForFunction(() =>
        /preset=simplex&what=0\.8,0\.45&.*w=0\.2,0\.3&.*gview=fit/.test(location.hash),
      );
      for (const id of ['what', 'w']) {
        const s = await handleState(p, id);
        assert(s.inside && !s.pinned, `after the switch ${id} is not in view`);
      }
    }),
  );

  // ---- Step through ADMM ----

  await named(
    'ADMM step-through: the solver’s own walk, step by step, ends at the solver’s x*',
    () =>
      inContext(SIZES[2], async (p) => {
        await open(p, 'panel=geometry&preset=polygon&what=1.2,0.4&admm=1&arho=0.001');
        const x = await readoutFor(p, [1.2, 0.4]);
        const walk = p.getByTestId('walk-readout');
        const attr = async (a) => walk.getAttribute(a);
        await p.waitForFunction(
          () =>
            Number(
              document.querySelector('[data-testid=walk-readout]')?.getAttribute('data-known'),
            ) > 0,
        );
        assert(
          (await attr('data-k')) === '0' && (await attr('data-x')) === '0,0',
          'the walk does not start at x⁰ = 0',
        );
        await p.getByTestId('walk-step').click();
        await p.locator('[data-testid=walk-readout][data-k="1"]').waitFor();
        await p.getByTestId('walk-x').waitFor();
        await p.getByTestId('walk-step').click();
        await p.locator('[data-testid=walk-readout][data-k="2"]').waitFor();
        await p.getByTestId('walk-back').click();
        await p.locator('[data-testid=walk-readout][data-k="1"]').waitFor();
        // Play runs on by itself (checked by its effect, not by time), Pause stops it.
        await p.getByTestId('walk-play').click();
        await p.waitForFunction(
          () =>
            Number(document.querySelector('[data-testid=walk-readout]').getAttribute('data-k')) >=
            3,
        );
        await p.getByTestId('walk-pause').click();
        await p.getByTestId('walk-end').click();
        await p.locator('[data-testid=walk-readout][data-done="1"]').waitFor({ timeout: 15_000 });
        const result = nums(await attr('data-result-x'));
        const last = nums(await attr('data-x'));
        assert(
          (await attr('data-status')) === 'solved',
          `the walk ended ${await attr('data-status')}`,
        );
        assert(
          close(result[0], x.xstar[0], 1e-9) && close(result[1], x.xstar[1], 1e-9),
          `walk's x* ${result} ≠ solver's ${x.xstar}`,
        );
        assert(
          close(last[0], x.xstar[0], 1e-6) && close(last[1], x.xstar[1], 1e-6),
          `last iterate ${last} far from x* ${x.xstar}`,
        );
        // Adaptive ρ acted (ρ started at 10⁻³), and each change is marked on the chart.
        const changes = Number(await attr('data-rho-changes'));
        assert(changes > 0, 'adaptive ρ never changed ρ from 0.001');
        assert(
          (await p.getByTestId('rho-mark').count()) === changes,
          'not every ρ change is marked',
        );
        assert(Number(await attr('data-rho')) > 0.001, `final ρ ${await attr('data-rho')}`);
        assert(
          (await p.getByTestId('walk-end-note').textContent()).includes(
            'the x* of the solve above',
          ),
          'end note',
        );
        // On the plot, the last xᵏ sits on x*.
        const gap = await p.evaluate(() => {
          const a = document.querySelector('[data-testid=walk-x]').getBoundingClientRect();
          const b = document.querySelector('[data-testid=xstar-point]').getBoundingClientRect();
          return Math.hypot(
            a.x + a.width / 2 - b.x - b.width / 2,
            a.y + a.height / 2 - b.y - b.height / 2,
          );
        });
        assert(gap < 1.5, `xᵏ drawn ${gap.toFixed(1)} px from x*`);
        await p.getByTestId('admm-walk').screenshot({ path: join(OUT, 'admm-walk.png') });
        // Fixed ρ: no changes; the URL keeps the setting; the walk starts over.
        await p.getByTestId('walk-adaptive').uncheck();
        await p.waitForFunction(() => /aadapt=0/.test(location.hash));
        await p.locator('[data-testid=walk-readout][data-k="0"]').waitFor();
        await p.waitForFunction(
          () =>
            Number(
              document.querySelector('[data-testid=walk-readout]').getAttribute('data-known'),
            ) > 0,
        );
        await p.getByTestId('walk-end').click();
        await p.locator('[data-testid=walk-readout][data-done="1"]').waitFor({ timeout: 30_000 });
        assert((await attr('data-rho-changes')) === '0', 'ρ changed with adaptive ρ off');
      }),
  );

  // ---- Citations and glossary ----

  await named('every citation is a link to the paper’s arXiv page naming the place', () =>
    inContext(SIZES[2], async (p) => {
      const unlinked = () =>
        p.evaluate(() => {
          const re = /\b(Lemma|Theorem|Property|Definition|Eq\.|Figure|Table|Sec\.|Algorithm)\s*\d/;
          const bad = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const el = n.parentElement;
            if (!el || !re.test(n.textContent) || el.closest('svg, script, style, .katex'))
              continue;
            if (!el.checkVisibility()) continue;
            const a = el.closest('a[href^="https://arxiv.org/abs/"]');
            if (!a || !re.test(a.textContent)) bad.push(n.textContent.trim().slice(0, 80));
          }
          return { bad, links: document.querySelectorAll('a.cite').length };
        });
      for (const panel of ['geometry', 'envelopes', 'benchmarks']) {
        await open(p, `panel=${panel}&admm=1&what=1.2,0.4`);
        await ready(p, panel);
        const r = await unlinked();
        assert(
          r.links > 0 && r.bad.length === 0,
          `${panel}: citations without a link: ${r.bad.join(' | ')}`,
        );
      }
      await p.locator('.app-footer').getByRole('button', { name: 'Glossary' }).click();
      await p.getByTestId('glossary').waitFor();
      const g = await unlinked();
      assert(g.bad.length === 0, `glossary: ${g.bad.join(' | ')}`);
      const hrefs = await p.$$eval('a.cite', (as) => [...new Set(as.map((a) => a.href))]);
      for (const h of hrefs)
        assert(/^https:\/\/arxiv\.org\/abs\/\d{4}\.\d{5}$/.test(h), `citation link ${h}`);
    }),
  );

  await named('glossary: a dotted term opens its entry, Escape closes it and focus returns', () =>
    inContext(SIZES[1], async (p) => {
      await open(p, 'panel=geometry&what=1.2,0.4');
      await readoutFor(p, [1.2, 0.4]);
      const term = p.locator('button.term[data-term=polish]').first();
      await term.scrollIntoViewIfNeeded();
      await term.click();
      const entry = p.getByTestId('glossary-polish');
      await entry.waitFor();
      assert((await entry.getAttribute('class')).includes('current'), 'the entry is not marked');
      assert(
        await p.evaluate(
          () => document.activeElement?.closest('[data-entry]')?.dataset.entry === 'polish',
        ),
        'focus is not on the entry',
      );
      const ids = await p.$$eval('dialog.glossary [data-entry]', (es) =>
        es.map((e) => e.dataset.entry),
      );
      for (const id of [
        'kkt',
        'active-set',
        'multiplier-sign',
        'normal-cone',
        'gradient-cone',
        'polish',
        'rho',
        'envelope',
        'regret',
      ])
        assert(ids.includes(id), `the glossary lacks ${id}`);
      await p.screenshot({ path: join(OUT, 'glossary-390.png') });
      await p.keyboard.press('Escape');
      await p.waitForFunction(() => !document.querySelector('dialog.glossary').open);
      assert(
        await p.evaluate(() => document.activeElement?.dataset.term === 'polish'),
        'focus did not return to the term',
      );
    }),
  );

  // ---- Share, seed, header ----

  await named(
    'header: plain-language engine status with details on demand; tabs: hover ≠ active',
    () =>
      inContext(SIZES[2], async (p) => {
        await open(p, 'panel=geometry');
        const status = p.getByTestId('engine-status');
        await p.waitForFunction(
          () =>
            /Solving on/.test(
              document.querySelector('[data-testid=engine-status]')?.textContent ?? '',
            ),
          undefined,
          { timeout: 15_000 },
        );
        assert(
          (await status.textContent()) ===
            'Solving on: the CPU, because this browser’s WebGPU is a software emulation',
          `status: ${await status.textContent()}`,
        );
        const details = p.getByTestId('engine-details');
        assert(!(await details.isVisible()), 'details shown before they are asked for');
        await p.getByTestId('engine-details-toggle').click();
        await details.waitFor({ state: 'visible' });
        assert(
          /Engine: WebGPU — .*swiftshader/i.test(await details.textContent()),
          'details lack the engine',
        );
        await p.getByTestId('engine-details-toggle').click();
        await details.waitFor({ state: 'hidden' });
        const bg = (sel) =>
          p
            .locator(sel)
            .evaluate(
              (e) =>
                getComputedStyle(e).backgroundColor + '|' + getComputedStyle(e).borderBottomColor,
            );
        const idle = await bg('#tab-envelopes');
        const active = await bg('#tab-geometry');
        await p.locator('#tab-envelopes').hover();
        const hovered = await bg('#tab-envelopes');
        assert(
          hovered !== idle && hovered !== active,
          `hover ${hovered}, idle ${idle}, active ${active}`,
        );
      }),
  );

  await named(
    'copy link copies the view’s link; the seed can be typed, and bad input says why once',
    () =>
      inContext(SIZES[2], async (p, ctx) => {
        await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], {
          origin: new URL(url).origin,
        });
        await open(p, 'panel=envelopes&seed=1');
        await p.getByTestId('envelope-readout').waitFor({ timeout: 30_000 });
        await p.getByTestId('control-seed').fill('42');
        await p
          .locator('[data-testid=envelope-readout][data-seed="42"]')
          .waitFor({ timeout: 30_000 });
        await p.waitForFunction(() => /(?:^#|&)seed=42(&|$)/.test(location.hash));
        await p.getByTestId('control-seed').fill('4x2');
        const err = p.locator('.int-input .field-error');
        await err.waitFor();
        assert(
          (await err.count()) === 1 && /expected an integer/.test(await err.textContent()),
          'no single clear message for a bad seed',
        );
        assert(
          /(?:^#|&)seed=42(&|$)/.test(await p.evaluate(() => location.hash)),
          'a bad seed reached the URL',
        );
        await p.getByTestId('control-seed').blur();
        await p.getByTestId('copy-link').click();
        await p.getByTestId('copy-status').filter({ hasText: 'Link copied.' }).waitFor();
        const copied = await p.evaluate(() => navigator.clipboard.readText());
        assert(copied === `${url}#panel=envelopes&seed=42`, `copied ${copied}`);
      }),
  );

  await named(
    'Benchmarks: a shared link’s selection is kept on a software adapter; a short run is offered',
    () =>
      inContext(SIZES[2], async (p) => {
        await open(p, 'panel=benchmarks');
        await ready(p, 'benchmarks');
        await p.getByTestId('bench-short-offer').waitFor();
        const h = await p.evaluate(() => location.hash);
        assert(
          h.includes('bsizes=10x5,50x10&bbatches=1,64&bengines=cpu,gpu'),
          `the selection was rewritten: ${h}`,
        );
        await p.getByTestId('bench-use-short').click();
        await p.waitForFunction(() =>
          location.hash.includes('bsizes=10x5&bbatches=1,4&bengines=cpu,gpu'),
        );
        await p.getByTestId('bench-short-offer').waitFor({ state: 'detached' });
      }),
  );

  // ---- Offline, accessibility, Content-Security-Policy ----

  await named(
    'offline: after the first visit the app reloads and solves offline, fonts and favicon included',
    () =>
      inContext(
        SIZES[2],
        async (p, ctx) => {
          await open(p, 'panel=envelopes');
          await p.getByTestId('envelope-readout').waitFor({ timeout: 30_000 });
          await p.evaluate(async () => {
            await navigator.serviceWorker.ready;
            if (!navigator.serviceWorker.controller)
              await new Promise((r) =>
                navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }),
              );
          });
          await ctx.setOffline(true);
          try {
            await p.reload();
            await p.getByTestId('engine-badge').waitFor();
            await p.getByTestId('envelope-readout').waitFor({ timeout: 30_000 });
            const fonts = await p.evaluate(async () => {
              await document.fonts.ready;
              const katex = [...document.fonts].filter((f) =>
                f.family.replace(/"/g, '').startsWith('KaTeX'),
              );
              return {
                loaded: katex.filter((f) => f.status === 'loaded').map((f) => f.family),
                failed: katex.filter((f) => f.status === 'error').map((f) => f.family),
              };
            });
            assert(
              fonts.loaded.includes('KaTeX_Main') && fonts.failed.length === 0,
              `KaTeX fonts offline: ${JSON.stringify(fonts)}`,
            );
            const icon = await p.evaluate(async () => {
              const href = document.querySelector('link[rel=icon]').href;
              const r = await fetch(href);
              return {
                ok: r.ok,
                type: r.headers.get('content-type'),
                size: (await r.text()).length,
              };
            });
            assert(icon.ok && icon.size > 100, `favicon offline: ${JSON.stringify(icon)}`);
            await p.getByRole('tab', { name: 'Geometry' }).click();
            await p
              .locator('[data-testid=geometry-readout][data-status=solved]')
              .waitFor({ timeout: 15_000 });
            await p.screenshot({ path: join(OUT, 'offline-reload.png') });
          } finally {
            await ctx.setOffline(false);
          }
        },
        { serviceWorkers: 'allow', allowErrors: false },
      ),
  );

  const axeCheck = async (p, where) => {
    const r = await new AxeBuilder({ page: p }).analyze();
    const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert(
      bad.length === 0,
      `${where}: ${bad
        .map(
          (v) =>
            `${v.id} (${v.impact}): ${v.nodes
              .map((n) => n.target.join(' '))
              .slice(0, 3)
              .join(', ')}`,
        )
        .join('; ')}`,
    );
  };
  for (const size of [SIZES[1], SIZES[2]]) {
    await named(
      `axe-core at ${size.width}×${size.height}: no serious or critical violations on any panel`,
      () =>
        inContext(size, async (p) => {
          for (const panel of PANELS) {
            await open(p, `panel=${panel}${panel === 'geometry' ? '&admm=1' : ''}`);
            await ready(p, panel);
            await axeCheck(p, panel);
          }
          await p.locator('.app-footer').getByRole('button', { name: 'Glossary' }).click();
          await p.getByTestId('glossary').waitFor();
          await axeCheck(p, 'glossary');
          await p.keyboard.press('Escape');
          await p.getByTestId('engine-details-toggle').click();
          await axeCheck(p, 'engine details');
        }),
    );
  }
  await named('axe-core in presenter mode at 1920×1080: no serious or critical violations', () =>
    inContext(SIZES[3], async (p) => {
      for (const panel of ['geometry', 'envelopes', 'benchmarks']) {
        await open(p, `panel=${panel}&present=1`);
        await ready(p, panel);
        await axeCheck(p, `presenter ${panel}`);
      }
      await p.getByTestId('qr-toggle').click();
      await axeCheck(p, 'presenter QR popover');
    }),
  );

  await named(
    'keyboard: focus is visible and the tab order runs header, tabs, plot, controls',
    () =>
      inContext(SIZES[2], async (p) => {
        await open(p, 'panel=geometry&what=1.2,0.4');
        await readoutFor(p, [1.2, 0.4]);
        const order = [];
        for (let i = 0; i < 40; i++) {
          await p.keyboard.press('Tab');
          const f = await p.evaluate(() => {
            const e = document.activeElement;
            const s = getComputedStyle(e);
            const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
            const halo = e.querySelector?.('.what-halo');
            const haloRing = halo ? parseFloat(getComputedStyle(halo).strokeWidth) >= 2 : false;
            const where = e.closest('header')
              ? 'header'
              : e.closest('.panel-nav')
                ? 'tabs'
                : e.closest('.geometry-figure')
                  ? 'plot'
                  : e.closest('.geometry-side')
                    ? 'controls'
                    : 'other';
            return {
              where,
              visible: ring || haloRing,
              name: e.getAttribute('data-testid') ?? e.textContent?.slice(0, 20),
            };
          });
          order.push(f);
          assert(f.visible, `no visible focus on ${f.name} (${f.where})`);
        }
        const seq = order.map((o) => o.where).filter((w, i, a) => i === 0 || a[i - 1] !== w);
        const expected = ['header', 'tabs', 'plot', 'controls'];
        assert(seq.slice(0, 4).join() === expected.join(), `tab order ${seq.join(' → ')}`);
      }),
  );

  await named('Content-Security-Policy: exactly the directives the app needs, and they hold', () =>
    inContext(
      SIZES[2],
      async (p) => {
        await open(p, 'panel=geometry&what=1.2,0.4');
        await readoutFor(p, [1.2, 0.4]);
        const content = await p.getAttribute(
          'meta[http-equiv="Content-Security-Policy"]',
          'content',
        );
        const got = Object.fromEntries(
          content
            .split(';')
            .map((d) => d.trim().split(/\s+/))
            .map(([k, ...v]) => [k, v]),
        );
        assert(JSON.stringify(got) === JSON.stringify(CSP), `policy: ${content}`);
        // The app works under it (this page: workers, WebGPU, KaTeX) with no violation so far.
        assert((await p.evaluate(() => window.__csp)).length === 0, 'violations while the app ran');
        // Each refusal is observed as the violation it reports (no waiting for something not to happen).
        const reported = (directive, uri) =>
          p.waitForFunction(
            ([d, u]) => window.__csp.some((v) => v.startsWith(d) && v.includes(u)),
            [directive, uri],
            { timeout: 5000 },
          );
        await p.evaluate(() => setTimeout('window.__evalRan = 1', 0));
        await reported('script-src', 'eval');
        await p.evaluate(() => {
          const s = document.createElement('script');
          s.textContent = 'window.__inlineRan = 1';
          document.head.append(s);
        });
        await reported('script-src', 'inline');
        await p.evaluate(() => fetch('https://example.com/').catch(() => undefined));
        await reported('connect-src', 'example.com');
        await p.evaluate(() => {
          new Image().src = 'https://example.com/x.png';
        });
        await reported('img-src', 'example.com');
        await p.evaluate(() => {
          const w = new Worker('data:text/javascript,postMessage(1)');
          w.onerror = () => undefined;
        });
        await reported('worker-src', 'data');
        const ran = await p.evaluate(() => [window.__evalRan, window.__inlineRan]);
        assert(
          ran.every((v) => v === undefined),
          `refused code ran: ${ran}`,
        );
        // What the app needs is allowed: a worker from a blob: URL answers.
        const blob = await p.evaluate(
          () =>
            new Promise((resolve) => {
              const url = URL.createObjectURL(
                new Blob(['postMessage("blob worker")'], { type: 'text/javascript' }),
              );
              const w = new Worker(url, { type: 'module' });
              w.onmessage = (e) => resolve(e.data);
              w.onerror = () => resolve('refused');
            }),
        );
        assert(blob === 'blob worker', `a blob: worker ${blob}`);
      },
      { allowViolations: true, allowErrors: true },
    ),
  );
}
