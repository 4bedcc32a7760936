/**
 * Browser cases for the solver worker's life (issue 7, "the page survives … its worker"): a worker
 * that dies silently (self.close(): no error event, as when it is terminated or runs out of memory)
 * mid-request and during start-up, and a restart while the page is offline. Each ends in a plain
 * notice, a restarted worker, and the request answered. Called from run.mjs.
 */
import { assert, close, readoutFor } from './harness.mjs';

/** The live solver worker (its global `name` is "solver"). */
async function solverWorker(page) {
  for (let t = 0; t < 100; t++) {
    for (const w of page.workers()) {
      const name = await Promise.race([
        w.evaluate(() => self.name).catch(() => ''),
        new Promise((r) => setTimeout(() => r(''), 2000)),
      ]);
      if (name === 'solver') return w;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no solver worker found');
}

/** Stops a worker from inside, silently: no error event reaches the page. */
async function killSilently(worker) {
  await worker.evaluate(() => setTimeout(() => self.close(), 0)).catch(() => undefined);
}

async function workerNotice(page, timeout) {
  const notice = page.getByTestId('worker-notice');
  await notice.waitFor({ timeout });
  return (await notice.textContent()) ?? '';
}

export async function workerCases({ page, named, openAt, url }) {
  await named(
    'a worker terminated mid-request is noticed, restarted, and the request sent again',
    async () => {
      await openAt('panel=geometry&preset=polygon&what=1.2,0.4');
      await readoutFor(page, [1.2, 0.4]);
      // Worker.terminate() from the page, as a browser does to a worker it stops: no error event.
      await page.evaluate(() => window.argminDiagnostics.terminateSolverWorker());
      await page.getByTestId('control-what-0').fill('-0.3');
      await page.getByTestId('control-what-1').fill('0.2');
      const text = await workerNotice(page, 15_000);
      assert(/stopped answering/.test(text) && /sent again/.test(text), `notice: ${text}`);
      const r = await readoutFor(page, [-0.3, 0.2]);
      assert(
        r.status === 'solved' && close(r.xstar[0], -0.3, 1e-5) && close(r.xstar[1], 0.2, 1e-5),
        `after the restart: ${JSON.stringify(r)}`,
      );
    },
  );

  await named(
    'a worker that dies silently mid-request is noticed, restarted, and the request sent again',
    async () => {
      await openAt('panel=geometry&preset=polygon&what=1.2,0.4');
      await readoutFor(page, [1.2, 0.4]);
      await killSilently(await solverWorker(page));
      // This move's job goes to the dead worker and waits there: only a restart answers it.
      await page.getByTestId('control-what-0').fill('0.1');
      await page.getByTestId('control-what-1').fill('-0.2');
      const text = await workerNotice(page, 15_000);
      assert(
        /stopped answering/.test(text) && /restarted/.test(text) && /sent again/.test(text),
        `notice: ${text}`,
      );
      const r = await readoutFor(page, [0.1, -0.2]);
      assert(
        r.status === 'solved' && close(r.xstar[0], 0.1, 1e-5) && close(r.xstar[1], -0.2, 1e-5),
        `after the restart: ${JSON.stringify(r)}`,
      );
      await page.locator('[data-testid=engine-badge][data-engine=gpu]').waitFor();
    },
  );

  await named('a worker that dies during start-up does not leave "starting…" forever', async () => {
    // The first worker this page creates is closed at once, before it can report its engine.
    let killed = false;
    const onWorker = (w) => {
      if (killed) return;
      killed = true;
      void killSilently(w);
    };
    page.on('worker', onWorker);
    try {
      await page.goto('about:blank');
      await page.goto(`${url}#panel=geometry&what=0.3,0.2`);
      await page.getByTestId('engine-badge').waitFor();
      const text = await workerNotice(page, 25_000);
      assert(/restarted/.test(text), `notice: ${text}`);
      await page.waitForFunction(
        () =>
          !/starting/.test(document.querySelector('[data-testid=engine-badge]')?.textContent ?? ''),
        undefined,
        { timeout: 25_000 },
      );
      const r = await readoutFor(page, [0.3, 0.2]);
      assert(r.status === 'solved', `status ${r.status}`);
      assert(killed, 'no worker was created');
    } finally {
      page.off('worker', onWorker);
    }
  });

  await named('offline after load, a failed worker restarts from the kept script', async () => {
    await openAt('panel=geometry&preset=polygon&what=1.2,0.4');
    await readoutFor(page, [1.2, 0.4]);
    // The page keeps the worker's script once it has started (a Blob URL), and says so.
    await page.waitForFunction(() => document.documentElement.dataset.solverScript === 'kept');
    const ctx = page.context();
    await ctx.setOffline(true);
    try {
      const solver = await solverWorker(page);
      await solver.evaluate(() => {
        setTimeout(() => {
          throw new Error('deliberate crash while offline');
        }, 0);
      });
      const text = await workerNotice(page, 10_000);
      assert(
        /deliberate crash while offline/.test(text) && /restarted/.test(text),
        `notice: ${text}`,
      );
      await page.getByTestId('control-what-0').fill('0.2');
      await page.getByTestId('control-what-1').fill('0.1');
      const r = await readoutFor(page, [0.2, 0.1]);
      assert(r.status === 'solved', `offline, after the restart: ${JSON.stringify(r)}`);
    } finally {
      await ctx.setOffline(false);
    }
  });
}
