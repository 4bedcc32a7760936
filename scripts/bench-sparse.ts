/**
 * Sparse KKT benchmark: for every Maros–Meszaros problem in ../shared/data, the size of OSQP's KKT
 * matrix K = [[P + σI, Aᵀ], [A, −diag(1/ρ)]], the fill of its LDLᵀ factor under AMD and under the
 * natural order (and QDLDL + SuiteSparse AMD's, from the fixture), and the time of each phase:
 * ordering, symbolic analysis, numeric factorization, a refactorization after a ρ update, one solve.
 *
 *   npx tsx scripts/bench-sparse.ts [NAME ...]
 *
 * Times are medians over repeats (at least 3, up to ~0.3 s per phase). Figures are printed, never
 * asserted; the tests in src/solvers/linalg/sparse assert the properties.
 */
import { readFileSync } from 'node:fs';
import { amdOrder } from '../src/solvers/linalg/sparse/amd';
import { SparseKktLinSys, assembleKktUpper } from '../src/solvers/linalg/sparse/kkt';
import { LdlNumeric, ldlSymbolic } from '../src/solvers/linalg/sparse/ldl';
import { cscSymPermUpper } from '../src/solvers/linalg/sparse/ops';
import { loadSparseMaros, marosNames, type MarosSet } from '../src/solvers/linalg/sparse/testutil';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: npx tsx scripts/bench-sparse.ts [NAME ...]  (default: all 44 problems)');
  process.exit(0);
}
const unknownFlag = args.find((a) => a.startsWith('-'));
if (unknownFlag) {
  console.error(`bench-sparse: unknown option ${unknownFlag} (try --help)`);
  process.exit(2);
}

const reference = JSON.parse(
  readFileSync(
    new URL('../src/solvers/linalg/sparse/fixtures/qdldl-amd.json', import.meta.url),
    'utf8',
  ),
) as { problems: Record<string, { nnzL: number }> };

/** Median wall time in ms of fn, repeated at least 3 times and until about budgetMs is spent. */
function time(fn: () => void, budgetMs = 300): number {
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 3 || (performance.now() - start < budgetMs && samples.length < 200)) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

const sets: MarosSet[] = ['maros-meszaros', 'maros-meszaros-benchmark'];
const problems = sets.flatMap((set) => marosNames(set).map((name) => ({ set, name })));
const chosen = args.length > 0 ? problems.filter((p) => args.includes(p.name)) : problems;
const missing = args.filter((a) => !problems.some((p) => p.name === a));
if (missing.length > 0) {
  console.error(`bench-sparse: no problem named ${missing.join(', ')}`);
  process.exit(2);
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));
console.log(
  '| problem | n | m | nnz(K) | nnz(L) AMD | QDLDL+AMD | natural | AMD ms | symbolic ms | factor ms | refactor ms | solve ms |',
);
console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
const totals = { amd: 0, symbolic: 0, factor: 0, solve: 0 };
for (const { set, name } of chosen) {
  const qp = loadSparseMaros(set, name);
  const sigma = 1e-6;
  const rho = Float64Array.from(qp.l, (l, i) => (l === qp.u[i] ? 100 : 0.1));
  const { K } = assembleKktUpper(qp.P, qp.A, sigma, rho);
  const N = qp.n + qp.m;

  let perm = new Int32Array(0);
  const tAmd = time(() => {
    perm = amdOrder(K);
  });
  const { C } = cscSymPermUpper(K, perm);
  const tSymbolic = time(() => {
    ldlSymbolic(cscSymPermUpper(K, perm).C);
  });
  const sym = ldlSymbolic(C);
  const natural = ldlSymbolic(K).nnzL;
  const numeric = new LdlNumeric(sym);
  const signs = Int8Array.from({ length: N }, (_, k) => (perm[k] < qp.n ? 1 : -1));
  const tFactor = time(() => numeric.factor(C, signs));

  const sys = SparseKktLinSys.create(qp.P, qp.A, sigma, rho);
  const rho2 = rho.map((r) => 10 * r);
  const tRefactor = time(() => sys.updateRho(rho2));
  const b = Float64Array.from({ length: N }, (_, i) => Math.sin(i + 1));
  const x = new Float64Array(N);
  const tSolve = time(() => {
    x.set(b);
    sys.solve(x);
  });

  totals.amd += tAmd;
  totals.symbolic += tSymbolic;
  totals.factor += tFactor;
  totals.solve += tSolve;
  const ref = reference.problems[name]?.nnzL;
  console.log(
    `| ${name} | ${qp.n} | ${qp.m} | ${sys.nnzK} | ${sym.nnzL} | ${ref ?? '–'} | ${natural} | ${fmt(tAmd)} | ${fmt(tSymbolic)} | ${fmt(tFactor)} | ${fmt(tRefactor)} | ${fmt(tSolve)} |`,
  );
}
console.log(
  `\nTotals over ${chosen.length} problems (ms): AMD ${fmt(totals.amd)}, symbolic ${fmt(totals.symbolic)}, numeric factor ${fmt(totals.factor)}, solve ${fmt(totals.solve)}.`,
);
console.log(
  'symbolic = permutation of K + elimination tree and column counts; refactor = updateRho (values rewritten in place, numeric phase only).',
);
