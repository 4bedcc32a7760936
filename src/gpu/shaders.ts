/**
 * WGSL sources. Each kernel lives in a `.wgsl` file beside its host code and is imported with
 * `?raw`: Vite/Vitest handle that natively; under tsx (CLI, bench) `scripts/raw-loader.mjs`
 * registers a Node loader hook for it. Modules that share declarations are concatenated here.
 */
import common from './common.wgsl?raw';
import ldl from './ldl.wgsl?raw';
import admmFactor from './admm-factor.wgsl?raw';
import admmStep from './admm-step.wgsl?raw';
import admmIterate from './admm-iterate.wgsl?raw';
import admmPcg from './admm-pcg.wgsl?raw';
import admmCheck from './admm-check.wgsl?raw';
import admmShared from './admm-shared.wgsl?raw';
import gemm from './gemm.wgsl?raw';
import gemmNarrow from './gemm-narrow.wgsl?raw';
import kkt from './kkt.wgsl?raw';

export const SHADERS = {
  /** Per-problem K formation, LDLᵀ and K⁻¹ (entry `factor`). */
  admmFactor: common + ldl + admmFactor,
  /** Per-problem ADMM iterations, direct x̃ solve as the mat-vec K⁻¹·rhs (entry `iterate`). */
  admmIterate: common + admmStep + admmIterate,
  /** Per-problem ADMM iterations, indirect x̃ solve by PCG (entries `precond`, `iterate`). */
  admmPcg: common + admmStep + admmPcg,
  /** Termination / infeasibility checks (entry `check`). */
  admmCheck: common + admmCheck,
  /** Shared-regime V assembly and updates (entries `assemble`, `update`, `count`). */
  admmShared: common + admmShared,
  /** Tiled matmul (entry `gemm`). */
  gemm,
  /** Narrow-tile matmul for few columns (entry `gemm_narrow`). */
  gemmNarrow,
  /** Backward: reduced KKT LDLᵀ with iterative refinement (entry `kkt`). */
  kkt: kkt + ldl,
} as const;

export type ShaderName = keyof typeof SHADERS;
