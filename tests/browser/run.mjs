#!/usr/bin/env node
/**
 * End-to-end test of the built app (run `npm run build` first): serves dist/ from a sub-path on
 * localhost, drives Debian's Chromium through playwright-core, and checks the Geometry panel
 * against independent references (closed-form projections), the URL round trip, the worker's
 * crash recovery, and a clean console. Prints one line per case and ends with "N passed, M failed".
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import {
  assert,
  BASE_PATH,
  center,
  CHROMIUM_ARGS,
  close,
  DIST,
  hashWhat,
  OUT,
  PENTAGON,
  projectSimplex,
  readout,
  readoutFor,
  ROOT,
  serve,
  settled,
  waitForHash,
} from './harness.mjs';
import { envelopeCases, geometryGradientCases } from './gradients.mjs';
import { gpuCases } from './gpu.mjs';
import { hashCases } from './hash.mjs';
import { workerCases } from './worker.mjs';
import { classroomCases } from './classroom.mjs';
import { trainingCases } from './training.mjs';

// ---- harness ----

const results = [];
/** Set once the page exists: a one-line account of what the page shows, printed under a FAIL. */
let diagnose = null;
async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ok   ${name}`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(
      `  FAIL ${name}\n       ${String(e?.message ?? e)
        .split('\n')
        .join('\n       ')}`,
    );
    if (diagnose) console.log(`       where: ${await diagnose()}`);
  }
}

async function main() {
  if (!existsSync(join(DIST, 'index.html'))) {
    console.error('dist/index.html not found: run `npm run build` first.');
    process.exit(2);
  }
  mkdirSync(OUT, { recursive: true });
  const server = await serve();
  const url = `http://127.0.0.1:${server.address().port}${BASE_PATH}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  // No service worker here: these cases test the network paths themselves (the offline case in
  // classroom.mjs has its own context with one).
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    serviceWorkers: 'block',
  });
  const page = await context.newPage();
  // Poll on a timer rather than on animation frames: a page whose frames stall while SwiftShader
  // keeps the GPU process busy must not fail a wait whose condition already holds.
  const waitForFunction = page.waitForFunction.bind(page);
  page.waitForFunction = (fn, arg, options) =>
    waitForFunction(fn, arg, { polling: 100, ...options });
  /** Console errors and uncaught exceptions, tagged with the case that was running. */
  const consoleErrors = [];
  let current = '';
  // A request cut off by our own reload (net::ERR_ABORTED), or by a case that takes the page
  // offline on purpose (net::ERR_INTERNET_DISCONNECTED), is not the app's fault.
  const OURS = ['net::ERR_ABORTED', 'net::ERR_INTERNET_DISCONNECTED'];
  page.on(
    'console',
    (m) =>
      m.type() === 'error' &&
      !OURS.some((why) => m.text() === `Failed to load resource: ${why}`) &&
      consoleErrors.push(`[${current}] console: ${m.text()}`),
  );
  page.on('pageerror', (e) => consoleErrors.push(`[${current}] pageerror: ${e.message}`));
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    if (!OURS.includes(why)) consoleErrors.push(`[${current}] request failed (${why}): ${r.url()}`);
  });
  page.on(
    'response',
    (r) => r.status() >= 400 && consoleErrors.push(`[${current}] HTTP ${r.status()}: ${r.url()}`),
  );
  diagnose = () =>
    Promise.race([
      page.evaluate(() => {
        const tab = document.querySelector('[role=tab][aria-selected=true]')?.textContent;
        const alerts = [...document.querySelectorAll('[role=alert]')].map((e) => e.textContent);
        const main = (document.querySelector('main') ?? document.body).innerText;
        return JSON.stringify({
          hash: window.location.hash,
          tab,
          alerts,
          text: main.replace(/\s+/g, ' ').slice(0, 300),
        });
      }),
      new Promise((resolve) => setTimeout(() => resolve('(the page did not answer in 5 s)'), 5000)),
    ]).catch((e) => `(could not read the page: ${e.message})`);
  // BROWSER_ONLY=<regex> runs the matching cases only (while developing; CI runs them all).
  const only = process.env.BROWSER_ONLY ? new RegExp(process.env.BROWSER_ONLY) : null;
  const named = async (name, fn) => {
    if (only && !only.test(name)) return;
    await check(name, async () => {
      current = name;
      await fn();
    });
  };

  /** A fresh document at this hash, so each case starts from a known state. */
  const openAt = async (hash) => {
    // Through about:blank, so the new document never shares a history entry with the old one.
    await page.goto('about:blank');
    await page.goto(`${url}#${hash}`);
    await page.getByTestId('engine-badge').waitFor();
    const want = new URLSearchParams(hash).get('panel');
    if (want) {
      const at = await page.evaluate(() => window.location.hash);
      assert(new URLSearchParams(at.slice(1)).get('panel') === want, `opened ${hash}, got ${at}`);
    }
  };

  console.log(`Serving dist/ at ${url}`);

  await named('app loads from a sub-path and the header shows WebGPU on SwiftShader', async () => {
    await page.goto(url);
    await page.getByRole('heading', { name: 'Argmin Playground' }).waitFor();
    const badge = page.locator('[data-testid=engine-badge][data-engine=gpu]');
    await badge.waitFor({ timeout: 15_000 });
    const text = await badge.textContent();
    assert(/Engine: WebGPU — .*swiftshader/i.test(text ?? ''), `badge says "${text}"`);
    // 'auto' (the default) keeps batches off a software adapter, and the badge says so.
    assert(
      (await badge.getAttribute('data-batches')) === 'cpu' &&
        /software adapter: batches on CPU; choose WebGPU to use it/.test(text ?? ''),
      `badge on SwiftShader in auto: "${text}" (batches ${await badge.getAttribute('data-batches')})`,
    );
    // In plain words, with the engine's name and the routing in the details.
    const status = await page.getByTestId('engine-status').textContent();
    assert(
      status === 'Solving on: the CPU, because this browser’s WebGPU is a software emulation',
      `status "${status}"`,
    );
    const select = page.getByTestId('control-batch');
    assert((await select.inputValue()) === 'auto', `Batches select: ${await select.inputValue()}`);
    assert(
      /software adapter/.test((await select.locator('..').getAttribute('title')) ?? ''),
      'the Batches select has no tooltip',
    );
  });

  await named('default view: ŵ = (1.2, 0.4) projects onto the pentagon vertex at 18°', async () => {
    const r = await readoutFor(page, [1.2, 0.4]);
    assert(r.status === 'solved', `status ${r.status}`);
    const v = PENTAGON[4];
    assert(
      close(r.xstar[0], v[0], 1e-5) && close(r.xstar[1], v[1], 1e-5),
      `x* = ${r.xstar}, expected vertex ${v}`,
    );
    assert(r.active === '3,4', `active rows "${r.active}", expected "3,4"`);
    assert(
      (await page.locator('[data-testid=gradient-cone][data-cone=wedge]').count()) === 1,
      'no wedge-shaped gradient cone drawn',
    );
  });

  await named('placeholder panels say "coming soon" and are reachable by URL', async () => {
    await openAt('panel=geometry');
    for (const name of ['Lessons']) {
      await page.getByRole('tab', { name: new RegExp(name) }).click();
      const ph = page.getByTestId(`placeholder-${name.toLowerCase()}`);
      await ph.waitFor();
      assert(
        (await ph.textContent()).includes('coming soon'),
        `${name} placeholder lacks "coming soon"`,
      );
      // The hash is rewritten at most every 150 ms.
      await page.waitForFunction(
        (p) => window.location.hash.includes(`panel=${p}`),
        name.toLowerCase(),
        { timeout: 5000 },
      );
    }
    await page.getByRole('tab', { name: 'Geometry' }).click();
    await page.getByTestId('geometry-svg').waitFor();
  });

  let atVertex = null;
  await named(
    'dragging ŵ from inside across a vertex moves x* and changes the active set',
    async () => {
      await openAt('panel=geometry&preset=polygon&what=1.2,0.4');
      await readoutFor(page, [1.2, 0.4]);
      const vertices = page.getByTestId('feasible-vertex');
      assert(
        (await vertices.count()) === 5,
        `expected 5 pentagon vertices, found ${await vertices.count()}`,
      );
      const pts = [];
      for (let i = 0; i < 5; i++) pts.push(await center(vertices.nth(i)));
      const c = [pts.reduce((s, p) => s + p[0], 0) / 5, pts.reduce((s, p) => s + p[1], 0) / 5];
      const top = pts.reduce((a, b) => (b[1] < a[1] ? b : a)); // the vertex at 90°, i.e. (0, 1)
      // A click at the center puts ŵ there; then press on ŵ and drag it out past the top vertex.
      await page.mouse.click(c[0], c[1]);
      const inside = await readoutFor(page, [0, 0], 0.02);
      await page.mouse.move(c[0], c[1]);
      await page.mouse.down();
      assert(
        inside.active === '',
        `inside the pentagon nothing should be active, got "${inside.active}"`,
      );
      assert(
        close(inside.xstar[0], inside.what[0], 1e-5) &&
          close(inside.xstar[1], inside.what[1], 1e-5),
        `inside: x* ${inside.xstar} ≠ ŵ ${inside.what}`,
      );
      const target = [top[0] + 0.3 * (top[0] - c[0]), top[1] + 0.3 * (top[1] - c[1])];
      const steps = 40;
      for (let s = 1; s <= steps; s++)
        await page.mouse.move(
          c[0] + ((target[0] - c[0]) * s) / steps,
          c[1] + ((target[1] - c[1]) * s) / steps,
        );
      await page.mouse.up();
      const out = await settled(page);
      const h = await hashWhat(page);
      assert(
        h.what && close(h.what[0], 0, 0.05) && close(h.what[1], 1.3, 0.08),
        `hash ŵ ${h.what} not near (0, 1.3)`,
      );
      assert(out.status === 'solved', `status ${out.status}`);
      assert(
        out.active === '0,4',
        `active rows "${out.active}", expected the two edges at the top vertex "0,4"`,
      );
      assert(
        close(out.xstar[0], 0, 1e-5) && close(out.xstar[1], 1, 1e-5),
        `x* = ${out.xstar}, expected the vertex (0, 1)`,
      );
      atVertex = out;
    },
  );

  await named('ŵ lies inside the drawn gradient cone at x* (Property 3.5)', async () => {
    const inCone = await page.evaluate(() => {
      const cone = document.querySelector('[data-testid=gradient-cone]');
      const handle = document.querySelector('[data-testid=what-handle]');
      const m = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(handle.getAttribute('transform'));
      const svg = cone.ownerSVGElement;
      const p = svg.createSVGPoint();
      p.x = Number(m[1]);
      p.y = Number(m[2]);
      return { kind: cone.getAttribute('data-cone'), inside: cone.isPointInFill(p) };
    });
    assert(inCone.kind === 'wedge', `cone drawn as ${inCone.kind}, expected a wedge at a vertex`);
    assert(inCone.inside, 'ŵ is not inside the drawn gradient cone');
    await page.screenshot({ path: join(OUT, 'geometry-polygon-vertex.png') });
  });

  await named('URL hash carries ŵ, and reloading restores ŵ and x*', async () => {
    assert(atVertex, 'needs the drag case');
    const h = await hashWhat(page);
    assert(
      h.hash.includes('panel=geometry') && h.hash.includes('preset=polygon'),
      `hash ${h.hash}`,
    );
    assert(
      close(h.what[0], atVertex.what[0], 1e-12) && close(h.what[1], atVertex.what[1], 1e-12),
      `hash ŵ ${h.what} ≠ readout ŵ ${atVertex.what}`,
    );
    await page.reload();
    const r = await readoutFor(page, atVertex.what, 1e-12);
    assert(
      close(r.xstar[0], atVertex.xstar[0], 1e-6) && close(r.xstar[1], atVertex.xstar[1], 1e-6),
      `after reload x* = ${r.xstar}`,
    );
    assert(
      r.active === atVertex.active,
      `after reload active "${r.active}" ≠ "${atVertex.active}"`,
    );
  });

  await named(
    'arrow keys move ŵ; outside one edge a single constraint is active (a ray)',
    async () => {
      // From (0, 1.3) go right and down to the outside of the edge between 18° and 90° vertices.
      await openAt('panel=geometry&preset=polygon&what=0,1.3');
      await readoutFor(page, [0, 1.3]);
      await page.getByTestId('what-handle').focus();
      const before = (await readout(page)).what;
      for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowRight');
      for (let i = 0; i < 2; i++) await page.keyboard.press('Shift+ArrowDown');
      const expected = [before[0] + 0.4, before[1] - 0.2];
      const r = await readoutFor(page, expected, 1e-6);
      // Independent reference: projection onto the edge line n·x = cos 36° with n at 54°.
      const n = [Math.cos((54 * Math.PI) / 180), Math.sin((54 * Math.PI) / 180)];
      const excess = n[0] * expected[0] + n[1] * expected[1] - Math.cos(Math.PI / 5);
      const ref = [expected[0] - excess * n[0], expected[1] - excess * n[1]];
      assert(r.active === '4', `active rows "${r.active}", expected only row 4 (the 54° edge)`);
      assert(
        close(r.xstar[0], ref[0], 1e-5) && close(r.xstar[1], ref[1], 1e-5),
        `x* = ${r.xstar}, reference ${ref}`,
      );
      assert(
        (await page.locator('[data-testid=gradient-cone][data-cone=ray]').count()) === 1,
        'gradient cone should be a ray',
      );
    },
  );

  await named(
    'simplex preset: x* matches the sort-based simplex projection, in several regions',
    async () => {
      await openAt('panel=geometry&preset=polygon');
      await page.getByTestId('control-preset').selectOption('simplex');
      await page.getByTestId('simplex-explanation').waitFor();
      await waitForHash(page, 'preset=simplex');
      for (const w of [
        [0.8, 0.45], // edge w₃ = 0
        [1.1, 0.05], // corner e₁
        [0.3, 0.3], // interior
        [-0.5, -0.5], // corner e₃
      ]) {
        await page.getByTestId('control-what-0').fill(String(w[0]));
        await page.getByTestId('control-what-1').fill(String(w[1]));
        const r = await readoutFor(page, w);
        // ŵ in the plane Σw = 1: ŵ₃ = 1 − ŵ₁ − ŵ₂.
        const ref = projectSimplex([w[0], w[1], 1 - w[0] - w[1]]);
        assert(r.status === 'solved', `status ${r.status} at ŵ ${w}`);
        assert(
          close(r.xstar[0], ref[0], 1e-5) && close(r.xstar[1], ref[1], 1e-5),
          `ŵ ${w}: x* ${r.xstar}, reference ${ref}`,
        );
        const activeRef = ref
          .map((v, i) => (v < 1e-9 ? i : -1))
          .filter((i) => i >= 0)
          .join(',');
        assert(r.active === activeRef, `ŵ ${w}: active "${r.active}", reference "${activeRef}"`);
      }
      await page.getByTestId('control-what-0').blur();
    },
  );

  await named('simplex preset: dragging ŵ to a corner region puts x* at that corner', async () => {
    await openAt('panel=geometry&preset=simplex&what=0.3,0.3');
    await page.getByTestId('control-what-0').fill('0.3');
    await page.getByTestId('control-what-1').fill('0.3');
    await readoutFor(page, [0.3, 0.3]);
    const start = await center(page.getByTestId('what-handle'));
    const corners = page.getByTestId('feasible-vertex');
    const pts = [];
    for (let i = 0; i < (await corners.count()); i++) pts.push(await center(corners.nth(i)));
    const topCorner = pts.reduce((a, b) => (b[1] < a[1] ? b : a)); // e₂
    const target = [topCorner[0], topCorner[1] - 60];
    await page.mouse.move(start[0], start[1]);
    await page.mouse.down();
    await page.mouse.move(target[0], target[1], { steps: 25 });
    await page.mouse.up();
    const r = await settled(page);
    assert(
      close(r.xstar[0], 0, 1e-5) && close(r.xstar[1], 1, 1e-5),
      `x* = ${r.xstar}, expected corner e₂ = (0, 1)`,
    );
    assert(r.active === '0,2', `active "${r.active}", expected w₁ ≥ 0 and w₃ ≥ 0 (rows 0,2)`);
    await page.getByTestId('control-what-0').fill('0.62');
    await page.getByTestId('control-what-1').fill('0.55');
    await readoutFor(page, [0.62, 0.55]);
    await page.getByTestId('control-what-0').blur();
    await page.screenshot({ path: join(OUT, 'geometry-simplex.png') });
  });

  await named('custom half-planes: edit, add, remove, reload, and an empty set', async () => {
    await openAt('panel=geometry&preset=polygon');
    await page.getByTestId('control-preset').selectOption('custom');
    await page.getByTestId('constraint-editor').waitFor();
    // Default: box |xᵢ| ≤ 1 with x₁ + x₂ ≤ 1.5; ŵ = (1.4, 1.2) projects onto the cut line.
    let r = await readoutFor(page, [1.4, 1.2]);
    const s = (1.4 + 1.2 - 1.5) / 2;
    assert(r.active === '4', `active "${r.active}", expected the cut (row 4)`);
    assert(
      close(r.xstar[0], 1.4 - s, 1e-5) && close(r.xstar[1], 1.2 - s, 1e-5),
      `x* ${r.xstar}, reference (${1.4 - s}, ${1.2 - s})`,
    );
    // Loosen the cut: x* moves to the box corner (1, 1), where x₁ ≤ 1 and x₂ ≤ 1 are active.
    await page.getByTestId('halfplane-4-2').fill('3');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=geometry-readout]')?.getAttribute('data-active') ===
        '0,1',
    );
    r = await readout(page);
    assert(
      close(r.xstar[0], 1, 1e-5) && close(r.xstar[1], 1, 1e-5),
      `x* ${r.xstar}, expected (1, 1)`,
    );
    await page.getByTestId('add-halfplane').click();
    await page.getByTestId('halfplane-5-0').waitFor();
    await page.waitForFunction(() => /cons=([^;&]+;){5}[^;&]+(&|$)/.test(window.location.hash));
    await page.getByTestId('remove-halfplane-5').click();
    await page.waitForFunction(() => /cons=([^;&]+;){4}[^;&]+(&|$)/.test(window.location.hash));
    // The edit survives a reload through the URL.
    await page.reload();
    await page.getByTestId('constraint-editor').waitFor();
    assert((await page.getByTestId('halfplane-4-2').inputValue()) === '3', 'edited h not restored');
    r = await readoutFor(page, [1.4, 1.2]);
    assert(r.active === '0,1', `after reload active "${r.active}"`);
    // x₁ ≤ −2 and −x₁ ≤ 1 have no common point: reported, nothing drawn, no exception.
    await page.getByTestId('halfplane-0-2').fill('-2');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=geometry-readout]')?.getAttribute('data-status') ===
        'primal_infeasible',
    );
    assert((await page.getByTestId('xstar-point').count()) === 0, 'x* drawn for an empty set');
    assert(
      (await page.getByTestId('cone-note').textContent()).includes('no point in common'),
      'no explanation',
    );
    await page.getByTestId('halfplane-0-2').fill('1');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=geometry-readout]')?.getAttribute('data-status') ===
        'solved',
    );
    await page.getByTestId('halfplane-0-2').blur();
    await page.screenshot({ path: join(OUT, 'geometry-custom.png') });
  });

  await named(
    'a bad URL parameter is reported, and the rest of the URL still applies',
    async () => {
      await page.goto(`${url}#panel=geometry&preset=polygon&what=abc,1`);
      const note = page.getByTestId('url-errors');
      await note.waitFor();
      assert(
        (await note.textContent()).includes('what=abc,1'),
        'warning does not name the bad parameter',
      );
      const r = await readoutFor(page, [1.2, 0.4]);
      assert(r.status === 'solved', `status ${r.status}`);
    },
  );

  await named('a crashing worker is reported, restarted, and solves again', async () => {
    await openAt('panel=geometry&preset=polygon&what=1.2,0.4');
    await readoutFor(page, [1.2, 0.4]);
    const workers = page.workers();
    assert(workers.length >= 1, 'no worker found');
    const solver = workers[workers.length - 1];
    await solver.evaluate(() => {
      setTimeout(() => {
        throw new Error('deliberate crash from the browser test');
      }, 0);
    });
    const notice = page.getByTestId('worker-notice');
    await notice.waitFor({ timeout: 10_000 });
    assert(
      (await notice.textContent()).includes('deliberate crash'),
      `notice: ${await notice.textContent()}`,
    );
    await page.locator('[data-testid=engine-badge][data-engine=gpu]').waitFor();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=engine-badge]')?.textContent?.includes('WebGPU'),
    );
    await page.getByTestId('control-what-0').fill('0.1');
    await page.getByTestId('control-what-1').fill('-0.2');
    const r = await readoutFor(page, [0.1, -0.2]);
    assert(
      r.status === 'solved' && close(r.xstar[0], 0.1, 1e-5) && close(r.xstar[1], -0.2, 1e-5),
      `after restart: ${JSON.stringify(r)}`,
    );
  });

  await named('an edited URL wins over a hash write still pending from the old state', async () => {
    await openAt('panel=geometry&preset=polygon&what=1.2,0.4');
    await readoutFor(page, [1.2, 0.4]);
    const target = 'panel=envelopes&seed=1&dim=4&tau=1&rho=0&t0=0.7';
    // Two edits of ŵ in one task: the second one's hash write waits for the 150 ms spacing.
    await page.evaluate((hash) => {
      const input = document.querySelector('[data-testid=control-what-0]');
      const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
      for (const v of ['0.3', '0.5']) {
        setValue.call(input, v);
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }
      // The URL changes before its hashchange reaches the app (Chromium can run a due timer in
      // between): replaceState changes it with no event at all, the worst case of that race.
      history.replaceState(null, '', `#${hash}`);
    }, target);
    await page.waitForTimeout(400);
    let at = await page.evaluate(() => window.location.hash);
    assert(at.includes('panel=envelopes'), `the pending write replaced the edited URL with ${at}`);
    await page.getByTestId('control-rho').waitFor({ timeout: 15_000 });
    await page.reload();
    await page.getByTestId('control-rho').waitFor({ timeout: 15_000 });
    at = await page.evaluate(() => window.location.hash);
    assert(at.includes('panel=envelopes'), `after the reload the URL is ${at}`);
  });

  await envelopeCases({ page, named, openAt });
  await geometryGradientCases({ page, named, openAt });
  await gpuCases({ page, named, openAt, url });
  await hashCases({ page, named, url });
  await workerCases({ page, named, openAt, url });
  await classroomCases({ page, named, openAt, url });
  await trainingCases({ page, named, openAt });

  await named('the console has no errors', async () => {
    // The deliberate crash may be logged by the browser itself; anything else is a failure.
    const unexpected = consoleErrors.filter(
      (e) => !e.includes('deliberate crash from the browser test'),
    );
    assert(unexpected.length === 0, unexpected.join('\n'));
  });

  // A clean picture for the README: vertex case, focus ring off.
  current = 'screenshot';
  await page.goto(`${url}#panel=geometry&preset=polygon&what=0.25,1.6&seed=1`);
  await page.reload();
  await readoutFor(page, [0.25, 1.6]);
  const shot = join(OUT, 'geometry-polygon.png');
  await page.screenshot({ path: shot });
  if (process.env.UPDATE_SCREENSHOT === '1') {
    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    copyFileSync(shot, join(ROOT, 'docs', 'screenshot.png'));
  }

  await browser.close();
  server.close();
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  console.log(
    `${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length + 1} failed`,
  );
  process.exit(1);
});
