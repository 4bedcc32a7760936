// C = A·B for row-major A (M×K), B (K×N), C (M×N) when N is small (the shared regime at batches
// below 16): gemm.wgsl's 64×64 tile would compute 64 columns for N live ones. Here a workgroup of
// TM invocations owns TM rows × NC columns (NC ≥ N rounded up to a power of two, ≤ 16), one row per
// invocation; K is walked in slices of 16 staged in workgroup memory (A coalesced, B broadcast).

struct Dims {
  M: u32, // @0
  N: u32, // @4
  K: u32, // @8
  _pad: u32, // @12 (struct size 16)
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

/** Rows per workgroup (one invocation each). */
override TM: u32 = 64u;
/** Columns per workgroup: 1, 2, 4, 8 or 16, chosen by the host from N. */
override NC: u32 = 1u;
const TK: u32 = 16u;
const NCMAX: u32 = 16u;
/** A slice, layout [kk][row]. */
var<workgroup> As: array<f32, TK * TM>;
/** B slice, layout [kk][col]. */
var<workgroup> Bs: array<f32, TK * NCMAX>;

@compute @workgroup_size(TM)
fn gemm_narrow(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wg.y * TM;
  let col0 = wg.x * NC;
  let t = lid.x;
  var acc: array<f32, NCMAX>;
  for (var c = 0u; c < NC; c++) { acc[c] = 0.0; }
  for (var k0 = 0u; k0 < dims.K; k0 += TK) {
    for (var idx = t; idx < TK * TM; idx += TM) {
      let ar = idx / TK;
      let ak = idx % TK;
      var av = 0.0;
      if (row0 + ar < dims.M && k0 + ak < dims.K) { av = A[(row0 + ar) * dims.K + k0 + ak]; }
      As[ak * TM + ar] = av;
    }
    for (var idx = t; idx < TK * NC; idx += TM) {
      let bk = idx / NC;
      let bc = idx % NC;
      var bv = 0.0;
      if (k0 + bk < dims.K && col0 + bc < dims.N) { bv = B[(k0 + bk) * dims.N + col0 + bc]; }
      Bs[bk * NCMAX + bc] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let a = As[kk * TM + t];
      for (var c = 0u; c < NC; c++) { acc[c] += a * Bs[kk * NCMAX + c]; }
    }
    workgroupBarrier();
  }
  let r = row0 + t;
  if (r >= dims.M) { return; }
  for (var c = 0u; c < NC; c++) {
    if (col0 + c < dims.N) { C[r * dims.N + col0 + c] = acc[c]; }
  }
}
