/**
 * Browser cases for the Benchmark panel: a tiny run on SwiftShader's WebGPU and the CPU engine
 * from the real UI, checked for finite figures, solved counts, gradient accuracy against the exact
 * Float64 KKT gradient (computed in the worker from a tight CPU solve), the plot and the exports;
 * and Cancel. Timing values are only checked to be finite and positive, never compared.
 */
import { join } from 'node:path';
import { assert, OUT } from './harness.mjs';

/** Sets the panel's checkboxes of one group to exactly `wanted`. */
async function choose(page, prefix, all, wanted) {
  for (const v of all) {
    const box = page.getByTestId(`${prefix}-${v}`);
    if ((await box.isChecked()) !== wanted.includes(v)) await box.click();
  }
}

const SIZES = ['10x5', '50x10', '100x20', '500x100'];
const BATCHES = [1, 4, 16, 64, 256, 1024];
const ENGINES = ['cpu', 'gpu', 'cpu-shared', 'gpu-shared'];

async function tableRows(page) {
  return page.$$eval('[data-testid=bench-row]', (trs) =>
    trs.map((tr) => {
      const n = (a) => (tr.getAttribute(a) === '' ? null : Number(tr.getAttribute(a)));
      return {
        size: tr.dataset.size,
        batch: Number(tr.dataset.batch),
        engine: tr.dataset.engine,
        forward: n('data-forward'),
        backward: n('data-backward'),
        total: n('data-total'),
        solved: n('data-solved'),
        cos: n('data-cos'),
        speedup: n('data-speedup'),
      };
    }),
  );
}

export async function benchCases({ page, named, openAt }) {
  await named(
    'Benchmark panel: a tiny run (10×5, batch 1 and 4, CPU and WebGPU) fills the table',
    async () => {
      await openAt('panel=benchmarks');
      const adapter = page.getByTestId('bench-adapter');
      await page.waitForFunction(
        () =>
          /WebGPU adapter: .*swiftshader/i.test(
            document.querySelector('[data-testid=bench-adapter]')?.textContent ?? '',
          ),
        undefined,
        { timeout: 15_000 },
      );
      assert(
        (await page.getByTestId('bench-caveat').textContent()).includes(
          'only mean something on a real GPU',
        ),
        'no SwiftShader caveat on screen',
      );
      // On SwiftShader a short run is offered (the link's selection itself is kept: classroom.mjs).
      await page.getByTestId('bench-use-short').click();
      await page.waitForFunction(
        () => window.location.hash.includes('bsizes=10x5&bbatches=1,4&bengines=cpu,gpu'),
        undefined,
        { timeout: 5000 },
      );
      await choose(page, 'bench-size', SIZES, ['10x5']);
      await choose(page, 'bench-batch', BATCHES, [1, 4]);
      await choose(page, 'bench-engine', ENGINES, ['cpu', 'gpu']);
      await page.getByTestId('bench-run').click();
      await page
        .locator('[data-testid=bench-panel][data-state=running]')
        .waitFor({ timeout: 5000 });
      await page.getByTestId('bench-progress').locator('progress').waitFor();
      await page
        .locator('[data-testid=bench-panel][data-state=done]')
        .waitFor({ timeout: 180_000 })
        .catch(async () => {
          throw new Error(
            `run did not finish: state ${await page.getByTestId('bench-panel').getAttribute('data-state')}, error: ${await page
              .getByTestId('bench-error')
              .textContent()
              .catch(() => 'none')}`,
          );
        });
      const rows = await tableRows(page);
      console.log(`       adapter: ${await adapter.textContent()}`);
      for (const r of rows) console.log(`       ${JSON.stringify(r)}`);
      assert(rows.length === 4, `expected 4 rows (2 batches × 2 engines), got ${rows.length}`);
      for (const r of rows) {
        for (const k of ['forward', 'backward', 'total'])
          assert(Number.isFinite(r[k]) && r[k] > 0, `${r.engine} batch ${r.batch}: ${k} = ${r[k]}`);
        assert(r.size === '10x5', `size ${r.size}`);
        // The CPU engine solves every BPQP problem; f32 ADMM may end a few 'max_iter_reached' (docs/gpu.md).
        assert(
          r.engine === 'gpu' ? r.solved >= 1 && r.solved <= r.batch : r.solved === r.batch,
          `${r.engine} batch ${r.batch}: solved ${r.solved}`,
        );
        // Independent reference: the exact Float64 KKT gradient at a tight, polished CPU solution.
        assert(
          r.cos !== null && r.cos >= (r.engine === 'gpu' ? 0.99 : 0.9999),
          `${r.engine} batch ${r.batch}: gradient cosine ${r.cos}`,
        );
        if (r.engine === 'gpu')
          assert(Number.isFinite(r.speedup) && r.speedup > 0, `gpu speed-up ${r.speedup}`);
        else assert(r.speedup === null, 'a CPU row has a speed-up');
      }
      const gflops = Number(await page.getByTestId('bench-matmul').getAttribute('data-gflops'));
      assert(Number.isFinite(gflops) && gflops > 0, `matmul GFLOP/s ${gflops}`);
      console.log(`       reference matmul: ${gflops.toPrecision(3)} GFLOP/s`);
      assert(
        (await page.locator('[data-testid=kernel-table] tbody tr').count()) > 0,
        'no kernel rows',
      );
      assert(
        (await page.locator('[data-testid=bench-plot] [data-series]').count()) === 2,
        'plot should have one line per engine × size (2)',
      );
      const md = await page.getByTestId('bench-markdown').textContent();
      assert(
        md.includes('| 10x5 | 4 | gpu |') && md.includes('| 10x5 | 1 | cpu |'),
        `markdown lacks rows:\n${md}`,
      );
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('bench-download').click(),
      ]);
      const path = join(OUT, 'bench.json');
      await download.saveAs(path);
      const { readFileSync } = await import('node:fs');
      const json = JSON.parse(readFileSync(path, 'utf8'));
      assert(
        json.rows.length === 4 && json.adapter.includes('swiftshader'),
        'downloaded JSON lacks the rows or adapter',
      );
      await page.screenshot({ path: join(OUT, 'bench-panel.png'), fullPage: true });
    },
  );

  await named('Benchmark panel: Cancel stops a run and keeps the panel usable', async () => {
    await choose(page, 'bench-batch', BATCHES, [64]);
    await page.getByTestId('bench-run').click();
    await page.locator('[data-testid=bench-panel][data-state=running]').waitFor({ timeout: 5000 });
    await page.getByTestId('bench-cancel').click();
    await page
      .locator('[data-testid=bench-panel][data-state=cancelled]')
      .waitFor({ timeout: 10_000 });
    // A fresh worker answers again after a cancel.
    await page.waitForFunction(
      () => !document.querySelector('[data-testid=bench-run]')?.disabled,
      undefined,
      { timeout: 15_000 },
    );
  });

  await named('Benchmark panel: the selection lives in the URL and survives a reload', async () => {
    await openAt('panel=benchmarks&bsizes=50x10,100x20&bbatches=16,1024&bengines=cpu-shared');
    await page.getByTestId('bench-adapter').filter({ hasText: 'swiftshader' }).waitFor();
    const checked = async (prefix, all) => {
      const on = [];
      for (const v of all) if (await page.getByTestId(`${prefix}-${v}`).isChecked()) on.push(v);
      return on.join(',');
    };
    // A chosen selection is not shrunk for the software adapter.
    assert((await checked('bench-size', SIZES)) === '50x10,100x20', 'sizes from the URL');
    assert((await checked('bench-batch', BATCHES)) === '16,1024', 'batches from the URL');
    assert((await checked('bench-engine', ENGINES)) === 'cpu-shared', 'engines from the URL');
    await page.getByTestId('bench-batch-4').click();
    await page.getByTestId('bench-engine-gpu').click();
    await page.waitForFunction(
      () => window.location.hash.includes('bbatches=4,16,1024&bengines=gpu,cpu-shared'),
      undefined,
      { timeout: 5000 },
    );
    await page.reload();
    await page.getByTestId('bench-adapter').filter({ hasText: 'swiftshader' }).waitFor();
    assert((await checked('bench-batch', BATCHES)) === '4,16,1024', 'batches after the reload');
    assert((await checked('bench-engine', ENGINES)) === 'gpu,cpu-shared', 'engines after reload');
    assert(
      (await page.getByTestId('bench-run').textContent()).includes('12 steps'),
      'Run should count 2 sizes × 3 batches × 2 engines',
    );
  });
}
