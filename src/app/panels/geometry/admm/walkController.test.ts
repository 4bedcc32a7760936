import { describe, expect, it } from 'vitest';
import { AdmmWalks } from '../../../../workers/admmWalkJob';
import { GEOMETRY_SETTINGS } from '../../../../workers/geometryJob';
import { buildQp, PRESETS } from '../presets';
import { WalkController } from './walkController';

/** The controller over the worker's own walk, called in-process (no worker, no timers). */
function setup(rho = 0.001) {
  const walks = new AdmmWalks();
  const problem = buildQp(PRESETS.polygon, [1.2, 0.4]);
  const settings = { ...GEOMETRY_SETTINGS, rho };
  let requests = 0;
  const ctrl = new WalkController();
  ctrl.reset(async (from, count) => {
    requests++;
    return walks.serve({ problem, settings, from, count });
  });
  return { ctrl, requests: () => requests };
}

describe('the step-through controller', () => {
  it('steps forward and back through fetched iterates, fetching ahead in chunks', async () => {
    const { ctrl, requests } = setup();
    await ctrl.stepBy(1);
    expect(ctrl.getSnapshot().k).toBe(1);
    expect(ctrl.getSnapshot().known).toBeGreaterThanOrEqual(2);
    const before = requests();
    await ctrl.stepBy(5);
    expect(ctrl.getSnapshot().k).toBe(6);
    expect(requests()).toBe(before); // already fetched
    await ctrl.stepBy(-2);
    expect(ctrl.getSnapshot().k).toBe(4);
    expect(ctrl.getSnapshot().step!.k).toBe(4);
    await ctrl.stepBy(-100);
    expect(ctrl.getSnapshot().k).toBe(0);
  });

  it('goes to the end: the walk’s last iterate and the solver’s result', async () => {
    const { ctrl } = setup();
    await ctrl.toEnd();
    const s = ctrl.getSnapshot();
    expect(s.total).not.toBeNull();
    expect(s.k).toBe(s.total! - 1);
    expect(s.result!.status).toBe('solved');
    expect(s.rhoChanges.length).toBeGreaterThan(0);
    // Stepping past the end stays at the end.
    await ctrl.stepBy(3);
    expect(ctrl.getSnapshot().k).toBe(s.total! - 1);
  });

  it('a reset drops a reply that arrives for the previous walk', async () => {
    const ctrl = new WalkController();
    let release: () => void = () => undefined;
    ctrl.reset(
      () =>
        new Promise((resolve) => {
          release = () =>
            resolve({
              steps: [{ k: 0, x: [9, 9], z: [], prim: 0, dual: 0, epsPrim: 0, epsDual: 0, rho: 1 }],
              total: 1,
              rhoChanges: [],
              result: null,
              run: { engine: 'cpu', method: '', problems: 1, resolved: 0 },
            });
        }),
    );
    ctrl.reset(null);
    release();
    await Promise.resolve();
    await Promise.resolve();
    expect(ctrl.getSnapshot().known).toBe(0);
    expect(ctrl.getSnapshot().step).toBeNull();
  });

  it('reports a failed fetch once, and stops', async () => {
    const ctrl = new WalkController();
    ctrl.reset(() => Promise.reject(new Error('the solver worker failed')));
    await ctrl.stepBy(1);
    expect(ctrl.getSnapshot().error).toBe('the solver worker failed');
    expect(ctrl.getSnapshot().playing).toBe(false);
  });
});
