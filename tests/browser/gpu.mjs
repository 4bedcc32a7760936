/**
 * Browser cases for the engine choice: the Benchmark panel on SwiftShader's WebGPU (bench.mjs), and
 * a second browser launched without the WebGPU flags, where the app must fall back to the CPU
 * engine and say why. (The header's WebGPU badge is checked by run.mjs's first case.)
 */
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { assert, CHROMIUM_ARGS, OUT } from './harness.mjs';
import { benchCases } from './bench.mjs';

const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

export async function gpuCases({ page, named, openAt, url }) {
  await benchCases({ page, named, openAt });

  await named(
    'an engine event from the worker (GPU lost for good) switches the badge and shows a notice',
    async () => {
      await openAt('panel=geometry');
      await page
        .locator('[data-testid=engine-badge][data-engine=gpu]')
        .waitFor({ timeout: 15_000 });
      const solver = page.workers().find((w) => w.url().includes('solver'));
      assert(solver, `no solver worker among ${page.workers().map((w) => w.url())}`);
      // The message engineHost.ts posts when device recreation fails (its logic is unit-tested on Dawn).
      await solver.evaluate(() =>
        self.postMessage({
          type: 'engine-event',
          info: {
            kind: 'cpu',
            label: 'CPU (Float64)',
            adapter: 'CPU (Float64, JavaScript)',
            fallbackReason: 'the GPU device was lost and could not be recreated (test)',
            preference: 'auto',
            batches: 'cpu',
          },
          notice: {
            level: 'error',
            text: 'GPU device was lost and could not be recreated; switched to the CPU engine. (test)',
          },
        }),
      );
      const notice = page.locator('[data-testid=engine-notice][data-level=error]');
      await notice.waitFor({ timeout: 5000 });
      assert(
        (await notice.textContent()).includes('switched to the CPU engine'),
        `notice: ${await notice.textContent()}`,
      );
      const badge = page.locator('[data-testid=engine-badge][data-engine=cpu]');
      await badge.waitFor({ timeout: 5000 });
      assert(
        (await badge.textContent()).includes('WebGPU unavailable: the GPU device was lost'),
        `badge: ${await badge.textContent()}`,
      );
      await page.screenshot({ path: join(OUT, 'engine-notice.png') });
      await notice.getByRole('button', { name: 'Dismiss engine notice' }).click();
      await notice.waitFor({ state: 'detached', timeout: 5000 });
    },
  );

  await named(
    'without WebGPU the badge says CPU with the reason, and everything still works',
    async () => {
      const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        args: CHROMIUM_ARGS.filter((a) => !WEBGPU_FLAGS.includes(a)),
      });
      const errors = [];
      try {
        const p = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        p.on('pageerror', (e) => errors.push(e.message));
        await p.goto(`${url}#panel=geometry`);
        const badge = p.locator('[data-testid=engine-badge][data-engine=cpu]');
        await badge.waitFor({ timeout: 15_000 });
        const text = await badge.textContent();
        assert(
          /Engine: CPU \(Float64\).*WebGPU unavailable: (no adapter|navigator\.gpu is not available)/.test(
            text,
          ),
          `badge says "${text}"`,
        );
        assert(
          (await badge.getAttribute('title')).includes('single interactive problems'),
          'badge tooltip lacks the routing explanation',
        );
        await p
          .locator('[data-testid=geometry-readout][data-status=solved]')
          .waitFor({ timeout: 10_000 });
        await p.screenshot({ path: join(OUT, 'fallback-cpu.png') });
        await p.getByRole('tab', { name: 'Benchmarks' }).click();
        await p.waitForFunction(
          () =>
            /WebGPU unavailable/.test(
              document.querySelector('[data-testid=bench-adapter]')?.textContent ?? '',
            ),
          undefined,
          { timeout: 15_000 },
        );
        assert(
          await p.getByTestId('bench-engine-gpu').isDisabled(),
          'the GPU engine is selectable without WebGPU',
        );
        assert(errors.length === 0, `console errors without WebGPU:\n${errors.join('\n')}`);
      } finally {
        await browser.close();
      }
    },
  );
}
