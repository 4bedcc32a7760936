/**
 * Browser cases for hostile URL hashes (issue 7, "the page survives its links"): each hash is
 * opened at load and again typed over a working view (a `location.hash` edit). Every time the
 * page must show a bounded URL notice naming the problem, apply the rest (ŵ = 0.5,0.5 solved in
 * the Geometry readout), rewrite the URL to the view, and log no error. Called from run.mjs.
 *
 * The ErrorBoundary is no longer reachable from a hash, so its "Reload with the default view"
 * is unit-tested (src/app/components/ErrorBoundary.test.ts); here its absence is checked.
 */
import { join } from 'node:path';
import { assert, OUT, readoutFor } from './harness.mjs';

/** Notices listed one by one before "N more …" (src/app/state/hash.ts, MAX_NOTICES). */
const MAX_NOTICES = 6;
const WHAT = [0.5, 0.5];

/** Each: a hash that carries ŵ = 0.5,0.5 somewhere among hostile parts, and the notice it earns. */
const HOSTILE = [
  {
    name: 'a bad %-escape in a key',
    hash: '%E0%A4%A=1&what=0.5,0.5',
    notice: 'Ignored URL parameter "%E0%A4%A": its name is not valid %-encoding.',
  },
  {
    name: 'bad %-escapes in values',
    hash: 'w=%E0%A4%A&what=0.5,0.5&seed=%ED%A0%80',
    notice: 'Ignored URL parameter w=%E0%A4%A: the value is not valid %-encoding.',
  },
  {
    name: 'a hash of a megabyte',
    hash: `what=0.5,0.5&pad=${'x'.repeat(2 ** 20)}`,
    notice: "This link's settings are 1,048,593 characters long; only the first 16,384 were read.",
  },
  {
    name: 'thousands of & pairs',
    hash: `${Array.from({ length: 2500 }, (_, i) => `${i}=`).join('&')}&${'&'.repeat(1000)}what=0.5,0.5`,
    notice: '2,494 more problems in this link were ignored.',
  },
  {
    name: 'a repeated key (the last one wins)',
    hash: 'what=2,2&what=0.5,0.5',
    notice: 'URL parameter what was given 2 times; the last one is used.',
  },
  {
    name: '__proto__ and constructor keys',
    hash: '__proto__=1&constructor=1&__proto__[polluted]=1&what=0.5,0.5&panel=__proto__',
    notice: 'Ignored unknown URL parameter "__proto__".',
  },
  {
    name: 'NaN, Infinity and 1e400',
    hash: 'w=NaN,0&gtau=Infinity&seed=1e400&what=0.5,0.5',
    notice: 'Ignored URL parameter w=NaN,0: expected two comma-separated numbers',
  },
  {
    name: 'empty values',
    hash: 'panel=&seed=&what=0.5,0.5&grads=',
    notice: 'Ignored URL parameter panel=: expected one of geometry',
  },
  {
    name: 'unicode and a right-to-left override',
    hash: 'ŵ=1&%E2%80%AEevil=1&what=0.5,0.5',
    notice: 'Ignored unknown URL parameter "ŵ".',
  },
  {
    name: '+ and %20',
    hash: '%20what%20=+0.5,%200.5&preset=polygon+',
    notice: 'Ignored URL parameter preset=polygon+: expected one of polygon',
  },
  {
    name: 'a key without =',
    hash: 'ball&what=0.5,0.5',
    notice: 'Ignored URL parameter ball: it has no value (ball=…).',
  },
];

export async function hashCases({ page, named, url }) {
  /** Page errors and console errors while a case runs (run.mjs also checks them at the end). */
  const errors = [];
  const onConsole = (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`);
  const onPageError = (e) => errors.push(`uncaught: ${e.message}`);
  page.on('console', onConsole);
  page.on('pageerror', onPageError);

  /** A fresh document at this exact hash (not openAt: it reads the hash with URLSearchParams). */
  const load = async (hash) => {
    await page.goto('about:blank');
    await page.goto(`${url}#${hash}`);
    await page.getByTestId('engine-badge').waitFor();
  };

  /** The URL notice shows `text` in at most MAX_NOTICES + 1 items, and says the URL was rewritten. */
  const expectNotice = async (text) => {
    const note = page.getByTestId('url-errors');
    await note.waitFor({ timeout: 5000 });
    const items = await note.locator('li').allTextContents();
    assert(items.length >= 1 && items.length <= MAX_NOTICES + 1, `${items.length} notice items`);
    const all = await note.textContent();
    assert(all.includes(text), `notice lacks "${text}": ${all.slice(0, 600)}`);
    assert(
      all.includes('the address bar now shows the settings in use'),
      `notice does not say the URL was rewritten: ${all.slice(0, 600)}`,
    );
  };

  /** ŵ = 0.5,0.5 applied and solved; the URL rewritten to the view; no error page, no errors. */
  const expectWorkingView = async (before) => {
    const r = await readoutFor(page, WHAT);
    assert(r.status === 'solved', `status ${r.status}`);
    try {
      await page.waitForFunction(
        () =>
          /^#panel=geometry&.*&what=0\.5,0\.5&.*&bengines=[^&]*(&|$)/.test(window.location.hash),
        undefined,
        { timeout: 5000 },
      );
    } catch {
      const at = await page.evaluate(() => window.location.hash);
      throw new Error(`URL not rewritten to the view: ${at.slice(0, 300)}`);
    }
    assert((await page.getByTestId('error-boundary').count()) === 0, 'the error page is shown');
    const fresh = errors.slice(before);
    assert(fresh.length === 0, fresh.join('\n'));
  };

  await named('hostile hash: the reported bad %-escape at load ends in a notice', async () => {
    const before = errors.length;
    await load(HOSTILE[0].hash);
    await expectNotice(HOSTILE[0].notice);
    await expectWorkingView(before);
    await page.screenshot({ path: join(OUT, 'hash-notice.png') });
  });

  await named('hostile hash: the reported bad %-escape typed after load', async () => {
    const before = errors.length;
    await load('panel=geometry&what=1.2,0.4');
    await readoutFor(page, [1.2, 0.4]);
    await page.evaluate((h) => (window.location.hash = h), HOSTILE[0].hash);
    await expectNotice(HOSTILE[0].notice);
    await expectWorkingView(before);
  });

  for (const { name, hash, notice } of HOSTILE.slice(1)) {
    await named(`hostile hash: ${name}, at load and typed after load`, async () => {
      const before = errors.length;
      await load(hash);
      await expectNotice(notice);
      await expectWorkingView(before);
      // A good edit clears the notice; the hostile one typed over it brings it back.
      await page.evaluate(() => (window.location.hash = 'panel=geometry&what=1.2,0.4'));
      await readoutFor(page, [1.2, 0.4]);
      await page.getByTestId('url-errors').waitFor({ state: 'detached', timeout: 5000 });
      await page.evaluate((h) => (window.location.hash = h), hash);
      await expectNotice(notice);
      await expectWorkingView(before);
    });
  }

  page.off('console', onConsole);
  page.off('pageerror', onPageError);
}
