/**
 * Classroom cases: the layout at 320×640, 390×844, 1440×900 and 1920×1080, normal and in presenter
 * mode (no horizontal scrolling, plots filling their containers, panels stacking below 900 px, the
 * plot's share of the screen), presenter mode's type, strokes, contrast and full screen, and the
 * QR code decoded from a screenshot.
 */
import { join } from 'node:path';
import jsQR from 'jsqr';
import { assert, OUT, readoutFor } from './harness.mjs';
import { decodePng } from './png.mjs';
import { classroomHelpers, PANELS, SIZES } from './classroom-helpers.mjs';

export async function layoutCases({ page, named, url }) {
  const { inContext, open, ready, solvedFor, overflow, box } = classroomHelpers(page, url);
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
                // The plot fills its container's width (the card's content box), once the
                // ResizeObserver has seen the layout settle.
                const sel = panel === 'geometry' ? '.geometry-plot' : '.envelope-plot';
                const fits = () =>
                  p.evaluate((q) => {
                    const c = document.querySelector(q).getBoundingClientRect().width;
                    const s = document.querySelector(`${q} svg`).getBoundingClientRect().width;
                    return { c, s, ok: Math.abs(s - c) <= 1.5 };
                  }, sel);
                await p
                  .waitForFunction(
                    (q) => {
                      const c = document.querySelector(q)?.getBoundingClientRect().width;
                      const s = document.querySelector(`${q} svg`)?.getBoundingClientRect().width;
                      return c > 0 && Math.abs(s - c) <= 1.5;
                    },
                    sel,
                    { timeout: 5000 },
                  )
                  .catch(() => undefined);
                const f = await fits();
                assert(f.ok, `${panel}: plot ${f.s} px in a ${f.c} px container`);
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
}
