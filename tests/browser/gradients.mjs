/**
 * Browser cases for the gradients on screen: the Envelopes panel (LPGD Figure 1) and the Geometry
 * panel's gradient arrows. Called from run.mjs with its page and `named` case runner.
 */
import { join } from 'node:path';
import { assert, center, close, nums, OUT } from './harness.mjs';

const VARIANTS = ['lower', 'average', 'upper'];

/** The Envelopes readout's numbers (data-* attributes). */
async function envelopeReadout(page) {
  return page.evaluate((variants) => {
    const el = document.querySelector('[data-testid=envelope-readout]');
    if (!el) return null;
    const num = (a) => Number(el.getAttribute(a));
    const out = { tau: num('data-tau'), rho: num('data-rho'), t0: num('data-t0') };
    out.samples = num('data-samples');
    out.engine = el.getAttribute('data-engine');
    out.batched = num('data-batched');
    out.lossMean = num('data-loss-mean');
    for (const v of variants) {
      out[v] = {
        value: num(`data-${v}-value`),
        env: num(`data-${v}-slope-env`),
        lpgd: num(`data-${v}-slope-lpgd`),
        mean: num(`data-${v}-mean`),
      };
    }
    return out;
  }, VARIANTS);
}

/** Waits until the readout answers a request satisfying `pred` (evaluated on its attributes). */
async function envelopeWhere(page, attr, value, tol = 1e-9) {
  await page.waitForFunction(
    ([a, v, t]) => {
      const el = document.querySelector('[data-testid=envelope-readout]');
      return el && Math.abs(Number(el.getAttribute(a)) - v) <= t;
    },
    [attr, value, tol],
    { timeout: 15_000 },
  );
  return envelopeReadout(page);
}

/** LPGD's slope and the plotted curve's slope agree, for every envelope. */
function assertSlopesAgree(r, where) {
  for (const v of VARIANTS) {
    const { env, lpgd } = r[v];
    assert(
      Number.isFinite(env) && Number.isFinite(lpgd),
      `${where}: ${v} slopes not numbers (${env}, ${lpgd})`,
    );
    assert(
      Math.abs(env - lpgd) <= 1e-5 * (1 + Math.abs(lpgd)),
      `${where}: ${v} envelope slope ${env} ≠ LPGD slope ${lpgd}`,
    );
  }
}

export async function envelopeCases({ page, named, openAt }) {
  let first = null;
  await named('envelopes: LPGD slope equals the envelope slope at t₀, curves drawn', async () => {
    await openAt('panel=envelopes&seed=1&dim=4&tau=1&rho=0&t0=0.7');
    first = await envelopeWhere(page, 'data-t0', 0.7);
    assert(first.samples === 241, `expected 241 samples, got ${first.samples}`);
    // Batches default to 'auto', which keeps them off SwiftShader (a software adapter).
    assert(first.engine === 'cpu', `auto on SwiftShader: redraw engine ${first.engine}`);
    const said = await page.getByTestId('envelope-engine').textContent();
    assert(
      /^\d+ box QPs on the CPU \(Float64 ADMM \+ polish\).*\(software adapter: batches on CPU/.test(
        said,
      ),
      `readout says "${said}"`,
    );
    assertSlopesAgree(first, 'default');
    assert(
      Math.abs(first.lower.lpgd) + Math.abs(first.upper.lpgd) > 1e-3,
      `slopes vanish at t₀ = 0.7: ${first.lower.lpgd}, ${first.upper.lpgd}`,
    );
    // The ordering of the paper: lower ≤ loss-linearization ≤ upper, hence lower ≤ average ≤ upper.
    assert(
      first.lower.value <= first.average.value && first.average.value <= first.upper.value,
      `order violated at t₀: ${first.lower.value}, ${first.average.value}, ${first.upper.value}`,
    );
    for (const k of ['loss', 'linearized', 'lower', 'average', 'upper']) {
      const d = await page.getByTestId(`curve-${k}`).getAttribute('d');
      assert(d && d.split('L').length >= 200, `curve ${k} has too few points`);
    }
    assert((await page.getByTestId('curve-augmented').count()) === 0, 'ρ = 0 draws no x_ρ curve');
    assert((await page.locator('.tangent-lpgd').count()) === 3, 'expected three LPGD tangents');
    assert((await page.locator('.tangent-env').count()) === 3, 'expected three measured tangents');
    assert((await page.locator('.katex').count()) >= 5, 'KaTeX formulas not rendered');
    assert((await page.getByTestId('tex-error').count()) === 0, 'a formula failed to typeset');
  });

  await named('envelopes: moving the τ slider recomputes; slopes still agree', async () => {
    assert(first, 'needs the first envelope case');
    const slider = page.getByTestId('control-tau');
    await slider.focus();
    for (let i = 0; i < 40; i++) await page.keyboard.press('ArrowRight');
    await page.waitForFunction(
      (t) =>
        Number(document.querySelector('[data-testid=envelope-readout]')?.getAttribute('data-tau')) >
        t,
      first.tau,
      { timeout: 15_000 },
    );
    // Wait for the last coalesced request to land: the hash and the readout show the same τ.
    await page.waitForFunction(
      () => {
        const m = /(?:^#|&)tau=([^&]*)/.exec(window.location.hash);
        const el = document.querySelector('[data-testid=envelope-readout]');
        return m && el && Number(m[1]) === Number(el.getAttribute('data-tau'));
      },
      undefined,
      { timeout: 15_000 },
    );
    const r = await envelopeReadout(page);
    assert(r.tau > first.tau, `τ did not grow: ${first.tau} → ${r.tau}`);
    // A larger τ lowers the lower envelope and raises the upper one (inf/sup of ℓ̃ ± D/τ).
    assert(
      r.lower.mean < first.lower.mean - 1e-6,
      `lower mean ${first.lower.mean} → ${r.lower.mean}`,
    );
    assert(
      r.upper.mean > first.upper.mean + 1e-6,
      `upper mean ${first.upper.mean} → ${r.upper.mean}`,
    );
    assert(close(r.lossMean, first.lossMean, 1e-12), 'the loss itself must not depend on τ');
    assertSlopesAgree(r, `τ = ${r.tau}`);
  });

  await named('envelopes: ρ > 0 smooths, draws ℓ̃(x_ρ), slopes agree; click moves t₀', async () => {
    const slider = page.getByTestId('control-rho');
    await slider.focus();
    for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowRight');
    await page.waitForFunction(
      () => {
        const m = /(?:^#|&)rho=([^&]*)/.exec(window.location.hash);
        const el = document.querySelector('[data-testid=envelope-readout]');
        return m && el && Number(m[1]) > 0 && Number(m[1]) === Number(el.getAttribute('data-rho'));
      },
      undefined,
      { timeout: 15_000 },
    );
    let r = await envelopeReadout(page);
    assertSlopesAgree(r, `ρ = ${r.rho}`);
    await page.getByTestId('curve-augmented').waitFor();
    // Click in the plot, left of the centre: t₀ moves there.
    const svg = page.getByTestId('envelope-svg');
    const box = await svg.boundingBox();
    const before = r.t0;
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.5);
    await page.waitForFunction(
      (t) =>
        Number(document.querySelector('[data-testid=envelope-readout]')?.getAttribute('data-t0')) <
        t - 0.1,
      before,
      { timeout: 15_000 },
    );
    r = await envelopeReadout(page);
    assertSlopesAgree(r, `t₀ = ${r.t0}`);
    // Back next to a step for the picture.
    await openAt('panel=envelopes&seed=1&dim=4&tau=1.2&rho=0.6&t0=0.7');
    r = await envelopeWhere(page, 'data-rho', 0.6);
    assertSlopesAgree(r, 'screenshot view');
    await page.screenshot({ path: join(OUT, 'envelopes.png'), fullPage: true });
    await page
      .getByTestId('envelope-readout')
      .screenshot({ path: join(OUT, 'envelope-readout-auto.png') });
  });

  await named('envelopes: each envelope can be hidden, and the choice is in the URL', async () => {
    await openAt('panel=envelopes&seed=1&dim=4&tau=1&rho=0&t0=0.7');
    await envelopeWhere(page, 'data-t0', 0.7);
    await page.getByTestId('curve-upper').waitFor();
    await page.getByTestId('toggle-curve-upper').click();
    await page.getByTestId('curve-upper').waitFor({ state: 'detached', timeout: 5000 });
    assert((await page.getByTestId('curve-lower').count()) === 1, 'lower curve vanished');
    assert((await page.locator('.tangent-lpgd').count()) === 2, 'expected two LPGD tangents');
    await page.waitForFunction(
      () => window.location.hash.includes('curves=lower,average'),
      undefined,
      { timeout: 5000 },
    );
    await page.reload();
    await envelopeWhere(page, 'data-t0', 0.7);
    await page.getByTestId('curve-lower').waitFor();
    assert((await page.getByTestId('curve-upper').count()) === 0, 'upper drawn after reload');
    assert(!(await page.getByTestId('toggle-curve-upper').isChecked()), 'toggle not restored');
    // The readout still lists all three envelopes.
    assert((await page.getByTestId('envelope-row-upper').count()) === 1, 'readout lost upper');
  });

  // One GPU redraw (~6 s on SwiftShader): the envelope's real WGSL path in Chromium.
  await named(
    'envelopes with batch=gpu: the redraw runs on WebGPU, slopes agree, values match the CPU run',
    async () => {
      assert(first, 'needs the first envelope case (the CPU run to compare with)');
      await openAt('panel=envelopes&seed=1&dim=4&tau=1&rho=0&t0=0.7&batch=gpu');
      const badge = page.locator('[data-testid=engine-badge][data-batches=gpu]');
      await badge.waitFor({ timeout: 15_000 });
      const select = page.getByTestId('control-batch');
      assert((await select.inputValue()) === 'gpu', `select shows ${await select.inputValue()}`);
      const r = await envelopeEngine(page, 'gpu', 60_000);
      assert(r.t0 === 0.7 && r.tau === 1, `readout for t₀ ${r.t0}, τ ${r.tau}`);
      const said = await page.getByTestId('envelope-engine').textContent();
      assert(
        /^\d+ box QPs on WebGPU \(f32 ADMM \+ Float64 polish\)/.test(said),
        `readout says "${said}"`,
      );
      assertSlopesAgree(r, 'WebGPU');
      assert(r.batched === first.batched, `batched ${r.batched} vs ${first.batched} on the CPU`);
      // Polished in Float64, the GPU's answers are the CPU engine's (up to its 1e-9 tolerance).
      for (const v of VARIANTS)
        for (const k of ['value', 'env', 'lpgd', 'mean'])
          assert(
            close(r[v][k], first[v][k], 1e-6 * (1 + Math.abs(first[v][k]))),
            `${v} ${k}: WebGPU ${r[v][k]} vs CPU ${first[v][k]}`,
          );
      assert(
        close(r.lossMean, first.lossMean, 1e-9),
        `loss mean ${r.lossMean} vs ${first.lossMean}`,
      );
      await page.locator('.app-header').screenshot({ path: join(OUT, 'header-batch-gpu.png') });
      assert(
        (await page.getByTestId('envelope-engine-why').count()) === 0,
        'a WebGPU redraw shows a CPU reason',
      );
      await page
        .getByTestId('envelope-readout')
        .screenshot({ path: join(OUT, 'envelope-readout-gpu.png') });

      // Choosing CPU in the header redraws on the CPU, and the URL keeps the choice.
      await select.selectOption('cpu');
      const c = await envelopeEngine(page, 'cpu', 15_000);
      assertSlopesAgree(c, 'CPU chosen');
      assert(close(c.upper.value, r.upper.value, 1e-6), 'CPU and WebGPU redraws differ');
      const note = page.getByTestId('engine-batch-note');
      await page.locator('[data-testid=engine-badge][data-batches=cpu]').waitFor();
      assert(
        (await note.textContent()).includes('CPU chosen'),
        `badge note "${await note.textContent()}"`,
      );
      const why = await page.getByTestId('envelope-engine-why').textContent();
      assert(why === '(CPU chosen)', `readout says "${why}"`);
      await page.waitForFunction(() => /(?:^#|&)batch=cpu(&|$)/.test(location.hash), undefined, {
        timeout: 5000,
      });
      await select.selectOption('auto');
      await page.locator('[data-testid=engine-badge][data-batches=cpu]').waitFor();
      assert(
        (await note.textContent()).includes('software adapter: batches on CPU'),
        `badge note in auto: "${await note.textContent()}"`,
      );
      await page.locator('.app-header').screenshot({ path: join(OUT, 'header-batch-auto.png') });
    },
  );
}

/** Waits until the readout shows a redraw computed on `engine` (data-engine). */
async function envelopeEngine(page, engine, timeout) {
  try {
    await page.waitForFunction(
      (e) =>
        document.querySelector('[data-testid=envelope-readout]')?.getAttribute('data-engine') === e,
      engine,
      { timeout },
    );
  } catch {
    const shown = await page.evaluate(
      () => document.querySelector('[data-testid=envelope-engine]')?.textContent,
    );
    throw new Error(`no redraw on ${engine} within ${timeout / 1000} s; readout: ${shown}`);
  }
  return envelopeReadout(page);
}

/** The Geometry panel's gradient readout. */
async function gradReadout(page) {
  return page.evaluate(() => {
    const el = document.querySelector('[data-testid=gradient-readout]');
    if (!el || !el.hasAttribute('data-what')) return null;
    const g = (a) => el.getAttribute(a);
    return {
      what: g('data-what').split(',').map(Number),
      w: g('data-w').split(',').map(Number),
      xhat: g('data-xhat').split(',').map(Number),
      kkt: Number(g('data-norm-kkt')),
      smoothed: Number(g('data-norm-smoothed-qp')),
      lpgd: Number(g('data-norm-lpgd')),
      identity: Number(g('data-norm-identity')),
      trueNorm: Number(g('data-true-norm')),
      lost: Number(g('data-lost-fraction')),
      dimN: Number(g('data-dimn')),
    };
  });
}

/** Waits for the gradient readout of the ŵ the hash shows (after a drag, the last request lands). */
async function gradSettled(page) {
  await page.waitForFunction(
    () => {
      const m = /(?:^#|&)what=([^&]*)/.exec(window.location.hash);
      const el = document.querySelector('[data-testid=gradient-readout]');
      return m && el && decodeURIComponent(m[1]) === el.getAttribute('data-what');
    },
    undefined,
    { timeout: 10_000 },
  );
  return gradReadout(page);
}

export async function geometryGradientCases({ page, named, openAt }) {
  await named(
    'geometry gradients: drag x̂ onto a vertex, exact gradient 0, smoothed QP not',
    async () => {
      await openAt('panel=geometry&preset=polygon&what=0.1,0.2&w=-0.4,-0.3');
      let r = await gradSettled(page);
      assert(r.dimN === 0 && r.lost === 0, `interior: dim N ${r.dimN}, lost ${r.lost}`);
      // Interior: every method moves ŵ by exactly w − x̂ (∂x̂/∂ŵ = I).
      for (const m of ['kkt', 'smoothed', 'identity'])
        assert(close(r[m], r.trueNorm, 1e-5), `interior: ${m} norm ${r[m]} ≠ ${r.trueNorm}`);
      // Drag ŵ from the inside out past the vertex at 18° (the rightmost, lower one).
      const vertices = page.getByTestId('feasible-vertex');
      const pts = [];
      for (let i = 0; i < 5; i++) pts.push(await center(vertices.nth(i)));
      const cx = pts.reduce((s, p) => s + p[0], 0) / 5;
      const cy = pts.reduce((s, p) => s + p[1], 0) / 5;
      const v18 = pts.reduce((a, b) => (b[0] > a[0] ? b : a));
      const start = await center(page.getByTestId('what-handle'));
      const target = [v18[0] + 0.35 * (v18[0] - cx), v18[1] + 0.35 * (v18[1] - cy)];
      await page.mouse.move(start[0], start[1]);
      await page.mouse.down();
      await page.mouse.move(target[0], target[1], { steps: 30 });
      await page.mouse.up();
      r = await gradSettled(page);
      const V = [Math.cos(Math.PI / 10), Math.sin(Math.PI / 10)];
      assert(
        close(r.xhat[0], V[0], 1e-5) && close(r.xhat[1], V[1], 1e-5),
        `x̂ ${r.xhat} is not the vertex ${V}`,
      );
      assert(r.kkt < 1e-6, `exact gradient norm ${r.kkt} at a vertex, expected ≈ 0`);
      assert(r.smoothed > 0.05, `smoothed-QP norm ${r.smoothed}, expected > 0`);
      assert(r.trueNorm > 0.5, `true gradient ${r.trueNorm} should be far from 0`);
      assert(r.dimN === 2 && close(r.lost, 1, 1e-9), `dim N ${r.dimN}, lost fraction ${r.lost}`);
      assert((await page.getByTestId('update-kkt-zero').count()) === 1, 'no "zero" ring for KKT');
      assert((await page.getByTestId('update-smoothed-qp').count()) === 1, 'no smoothed-QP arrow');
      assert((await page.getByTestId('true-grad-arrow').count()) === 1, 'no true-gradient arrow');
      const note = await page.getByTestId('zero-gradient-note').textContent();
      assert(note.includes('100.0%'), `detector note: ${note}`);
      await page.getByTestId('toggle-ball').check();
      await page.getByTestId('smoothing-ball').waitFor();
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(OUT, 'geometry-gradients-vertex.png') });
    },
  );

  await named('geometry gradients: on an edge both exact and smoothed gradients pass', async () => {
    // ŵ outside the middle of the edge with outward normal at 54° (row 4).
    const n = [Math.cos((54 * Math.PI) / 180), Math.sin((54 * Math.PI) / 180)];
    const h = Math.cos(Math.PI / 5);
    const what = [1.25 * h * n[0], 1.25 * h * n[1]].map((v) => Math.round(v * 1000) / 1000);
    await openAt(`panel=geometry&preset=polygon&what=${what.join(',')}&w=0.5,-0.6`);
    const r = await gradSettled(page);
    assert(r.dimN === 1, `dim N ${r.dimN}, expected one active edge`);
    assert(r.kkt > 0.05 && r.smoothed > 0.05, `norms exact ${r.kkt}, smoothed ${r.smoothed}`);
    // The exact update is the true gradient's component along the edge (Lemma 3.9).
    const t = [-n[1], n[0]];
    const tg = Math.abs((0.5 - r.xhat[0]) * t[0] + (-0.6 - r.xhat[1]) * t[1]);
    assert(close(r.kkt, tg, 1e-5), `exact norm ${r.kkt}, tangential true gradient ${tg}`);
    assert(r.lost > 0 && r.lost < 1, `lost fraction ${r.lost}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(OUT, 'geometry-gradients-edge.png') });
  });

  await named('geometry gradients: w is draggable, toggles and τ live in the URL', async () => {
    await openAt('panel=geometry&preset=polygon&what=1.2,0.4&w=-0.4,-0.3&gtau=0.5&grads=kkt,lpgd');
    let r = await gradSettled(page);
    assert(
      (await page.getByTestId('update-smoothed-qp').count()) === 0,
      'smoothed-QP arrow drawn though toggled off',
    );
    const start = await center(page.getByTestId('w-handle'));
    await page.mouse.move(start[0], start[1]);
    await page.mouse.down();
    await page.mouse.move(start[0] - 60, start[1] + 40, { steps: 10 });
    await page.mouse.up();
    await page.waitForFunction(
      () => {
        const m = /(?:^#|&)w=([^&]*)/.exec(window.location.hash);
        const el = document.querySelector('[data-testid=gradient-readout]');
        return m && el && decodeURIComponent(m[1]) === el.getAttribute('data-w');
      },
      undefined,
      { timeout: 10_000 },
    );
    r = await gradReadout(page);
    const hw = nums(/(?:^#|&)w=([^&]*)/.exec(await page.evaluate(() => location.hash))[1]);
    assert(hw[0] < -0.4 - 0.1 && hw[1] < -0.3 - 0.1, `w did not move left and down: ${hw}`);
    assert(close(r.what[0], 1.2, 1e-12), `dragging w moved ŵ: ${r.what}`);
    await page.getByTestId('toggle-smoothed-qp').check();
    await page.waitForFunction(() => /grads=[^&]*smoothed-qp/.test(location.hash));
    await page.getByTestId('update-smoothed-qp').waitFor();
  });
}
