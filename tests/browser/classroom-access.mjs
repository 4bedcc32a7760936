/**
 * Classroom cases: citations as links and the glossary, the plain engine status and tab hover,
 * copy link and the typed seed, the Benchmarks selection, offline after the first visit,
 * axe-core, keyboard focus and order, and the Content-Security-Policy.
 */
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { assert, OUT, readoutFor } from './harness.mjs';
import { classroomHelpers, CSP, PANELS, SIZES } from './classroom-helpers.mjs';

export async function accessCases({ page, named, url }) {
  const { inContext, open, ready } = classroomHelpers(page, url);
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
