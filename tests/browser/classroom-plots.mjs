/**
 * Classroom cases: plots that never lose a point (fit, zoom, pan, pinch, pinned handles, labels,
 * short arrows, preset switch), and "Step through ADMM" ending at the solver's x*.
 */
import { join } from 'node:path';
import { assert, close, nums, OUT, readoutFor, settled } from './harness.mjs';
import { classroomHelpers, SIZES } from './classroom-helpers.mjs';

export async function plotCases({ page, named, url }) {
  const { inContext, open, handleState, hashVec } = classroomHelpers(page, url);

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
        // The URL is written at most every 150 ms: wait until it and the readout show the last ŵ.
        const { what } = await settled(p);
        assert(!(close(what[0], 1.2, 1e-9) && close(what[1], 0.4, 1e-9)), 'ŵ did not move');
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
        const { what } = await settled(p);
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
        const { what } = await settled(p);
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
}
