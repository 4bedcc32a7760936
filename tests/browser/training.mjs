/**
 * Browser cases for the Training panel (issue 9 §4, §6, §7): Play makes the curves grow, Pause
 * stops them, Step advances exactly one mini-batch, Reset clears, a reload reproduces the settings,
 * a crashed training worker resumes from the last epoch, and the exports download. While training,
 * the page's frame time is measured and printed (a figure, never asserted: no timed tests).
 * Called from run.mjs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert, OUT, waitForHash } from './harness.mjs';

/** A small run: 10 assets, 100 samples (70 train, 9 mini-batches of 8), 200 epochs. */
const SMALL = 'panel=training&texp=portfolio&tsize=10&tsamples=100&tepochs=200&tbatch=8&tlr=0.001';

async function points(page, chart = 'regret') {
  return Number(
    await page.locator(`[data-testid=training-chart-${chart}] svg`).getAttribute('data-points'),
  );
}

async function done(page) {
  return Number(await page.getByTestId('training-progress').getAttribute('data-done'));
}

async function status(page) {
  return page.getByTestId('training-panel').getAttribute('data-status');
}

async function waitStatus(page, want, timeout = 30_000) {
  await page
    .locator(`[data-testid=training-panel][data-status=${want}]`)
    .waitFor({ timeout })
    .catch(async () => {
      throw new Error(`status is ${await status(page)}, expected ${want}`);
    });
}

/** Waits until a chart has more than `n` points. */
async function morePoints(page, n, timeout = 30_000) {
  await page.waitForFunction(
    (k) =>
      Number(
        document
          .querySelector('[data-testid=training-chart-regret] svg')
          ?.getAttribute('data-points') ?? 0,
      ) > k,
    n,
    { timeout },
  );
  return points(page);
}

/** Intervals between animation frames over `ms`, in the page. */
function frameTimes(page, ms) {
  return page.evaluate(
    (dur) =>
      new Promise((resolve) => {
        const out = [];
        let last = performance.now();
        const end = last + dur;
        const tick = (t) => {
          out.push(t - last);
          last = t;
          if (t < end) requestAnimationFrame(tick);
          else resolve(out);
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
}

/** The live training worker (its global `name` is "training"). */
async function trainingWorker(page) {
  for (let t = 0; t < 100; t++) {
    for (const w of page.workers()) {
      const name = await Promise.race([
        w.evaluate(() => self.name).catch(() => ''),
        new Promise((r) => setTimeout(() => r(''), 2000)),
      ]);
      if (name === 'training') return w;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no training worker found');
}

export async function trainingCases({ page, named, openAt }) {
  await named('Training panel: Play makes the curves grow; the frame time is printed', async () => {
    await openAt(SMALL);
    await page.getByTestId('training-panel').waitFor();
    assert((await points(page)) === 0, 'curves drawn before Play');
    // A method that does not apply is shown disabled, with its reason.
    const why = await page.getByTestId('training-why-true-problem').textContent();
    assert(/LogSumExp/.test(why ?? ''), `no reason shown for SQP on Eq. 7: "${why}"`);
    assert(
      await page.getByTestId('training-method-true-problem').isDisabled(),
      'SQP is not disabled on Eq. 7',
    );
    await page.getByTestId('training-play').click();
    await waitStatus(page, 'running');
    const first = await morePoints(page, 0, 60_000);
    const frames = await frameTimes(page, 4000);
    const later = await morePoints(page, first);
    assert(later > first, `the curves did not grow: ${first} → ${later} points`);
    const sorted = [...frames].sort((a, b) => a - b);
    const p95 = sorted[Math.floor(0.95 * (sorted.length - 1))];
    console.log(
      `       frame time while training: p95 ${p95.toFixed(1)} ms, median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms over ${frames.length} frames`,
    );
    const engine = await page.getByTestId('training-engine').textContent();
    assert(/QP layer on/.test(engine ?? ''), `engine line: ${engine}`);
  });

  await named('Training panel: Pause stops the curves; Step advances one mini-batch', async () => {
    await page.getByTestId('training-pause').click();
    await waitStatus(page, 'paused');
    const p0 = await points(page);
    const d0 = await done(page);
    await page.waitForTimeout(1500);
    assert((await points(page)) === p0, `points moved while paused: ${p0} → ${await points(page)}`);
    assert(
      (await done(page)) === d0,
      `mini-batches moved while paused: ${d0} → ${await done(page)}`,
    );
    await page.getByTestId('training-step').click();
    await page.waitForFunction(
      (d) =>
        Number(
          document.querySelector('[data-testid=training-progress]')?.getAttribute('data-done'),
        ) > d,
      d0,
      { timeout: 20_000 },
    );
    await page.waitForTimeout(500);
    assert((await done(page)) === d0 + 1, `Step went from ${d0} to ${await done(page)}`);
    assert((await status(page)) === 'paused', `after Step: ${await status(page)}`);
    await page.screenshot({ path: join(OUT, 'training-paused.png'), fullPage: true });
  });

  await named('Training panel: the exports download CSV, JSON, SVG and PNG', async () => {
    const save = async (id, name) => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
      const path = join(OUT, name);
      await d.saveAs(path);
      return readFileSync(path);
    };
    const csv = (await save('training-export-csv', 'training.csv')).toString();
    assert(
      csv.startsWith('problem,seed,method,epoch,regret_train'),
      `CSV header: ${csv.slice(0, 80)}`,
    );
    assert(csv.includes(',exact,') && csv.includes(',smoothed-qp,'), 'CSV lacks a method');
    const json = JSON.parse((await save('training-export-json', 'training.json')).toString());
    assert(json.experiment === 'portfolio', `JSON experiment ${json.experiment}`);
    const e = json.methods.exact.epochs[0];
    assert(
      e.epoch === 1 && 'train' in e.regret && 'grad_norm' in e && 'backward_ms' in e,
      'JSON epoch lacks the documented keys',
    );
    const svg = (await save('training-export-svg', 'training.svg')).toString();
    assert(svg.startsWith('<svg') && (svg.match(/<path/g) ?? []).length > 10, 'SVG lacks curves');
    const png = await save('training-export-png', 'training.png');
    assert(png.subarray(1, 4).toString() === 'PNG' && png.length > 5000, 'PNG is not an image');
  });

  await named(
    'Training panel: a crashed worker is reported and resumes from the last epoch',
    async () => {
      await page.getByTestId('training-play').click();
      await waitStatus(page, 'running');
      const before = await morePoints(page, await points(page));
      const worker = await trainingWorker(page);
      await worker.evaluate(() => setTimeout(() => self.close(), 0)).catch(() => undefined);
      const notice = page.getByTestId('training-crash');
      await notice.waitFor({ timeout: 20_000 });
      const text = (await notice.textContent()) ?? '';
      assert(/stopped answering/.test(text) && /Resume continues after epoch/.test(text), text);
      await page.getByTestId('training-resume').click();
      await waitStatus(page, 'running');
      const after = await morePoints(page, before, 60_000);
      assert(after > before, `no progress after Resume: ${before} → ${after}`);
      await page.getByTestId('training-pause').click();
      await waitStatus(page, 'paused');
    },
  );

  await named('Training panel: Reset clears the curves, the table and the progress', async () => {
    await page.getByTestId('training-reset').click();
    await waitStatus(page, 'idle');
    await page.waitForTimeout(300);
    assert((await points(page)) === 0, `points after Reset: ${await points(page)}`);
    assert((await done(page)) === 0, `progress after Reset: ${await done(page)}`);
    assert((await page.getByTestId('training-table').count()) === 0, 'the table is still shown');
  });

  await named('Training panel: a reload of the URL reproduces the settings', async () => {
    await openAt('panel=training');
    await page.getByTestId('control-texp').selectOption('linear');
    await page.getByTestId('training-problem-dc-opf').click();
    await page.getByTestId('control-tepochs').fill('7');
    await page.getByTestId('control-tlr').fill('0.002');
    await page.getByTestId('training-method-identity').click();
    await page.getByTestId('control-tepochs').blur();
    await waitForHash(page, 'tepochs=7');
    await waitForHash(page, 'tlr=0.002');
    await waitForHash(page, 'tprobs=knapsack,lambda%3D0,lambda%3D0.1&');
    await page.waitForFunction(
      () =>
        /[&#]tmethods=[^&]*spo%2B/.test(location.hash) &&
        !/tmethods=[^&]*identity/.test(location.hash),
      undefined,
      { timeout: 5000 },
    );
    await page.reload();
    await page.getByTestId('training-panel').waitFor();
    const read = async (id) => page.getByTestId(id).inputValue();
    assert((await read('control-texp')) === 'linear', 'experiment not restored');
    assert((await read('control-tepochs')) === '7', 'epochs not restored');
    assert((await read('control-tlr')) === '0.002', 'learning rate not restored');
    assert(
      !(await page.getByTestId('training-problem-dc-opf').isChecked()),
      'problems not restored',
    );
    assert(
      !(await page.getByTestId('training-method-identity').isChecked()),
      'methods not restored',
    );
    assert(await page.getByTestId('training-method-spo+').isChecked(), 'SPO+ lost');
  });
}
