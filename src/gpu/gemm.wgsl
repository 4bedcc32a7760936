// C = A·B for row-major A (M×K), B (K×N), C (M×N). 64×64 output tile per workgroup of 16×16
// invocations, each accumulating a 4×4 block; K is walked in slices of 16 staged in workgroup
// memory (2 × 4 KiB). Used for the shared-regime x-update and as the reference matmul.

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

const TM: u32 = 64u;
const TN: u32 = 64u;
const TK: u32 = 16u;
/** A slice, layout [kk][row]. */
var<workgroup> As: array<f32, 1024>;
/** B slice, layout [kk][col]. */
var<workgroup> Bs: array<f32, 1024>;

@compute @workgroup_size(16, 16)
fn gemm(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wg.y * TM;
  let col0 = wg.x * TN;
  let tid = lid.y * 16u + lid.x;
  var acc: array<f32, 16>;
  for (var i = 0u; i < 16u; i++) { acc[i] = 0.0; }
  for (var k0 = 0u; k0 < dims.K; k0 += TK) {
    for (var e = 0u; e < 4u; e++) {
      let idx = tid + e * 256u;
      let ar = idx / TK;
      let ak = idx % TK;
      var av = 0.0;
      if (row0 + ar < dims.M && k0 + ak < dims.K) { av = A[(row0 + ar) * dims.K + k0 + ak]; }
      As[ak * TM + ar] = av;
      let bk = idx / TN;
      let bc = idx % TN;
      var bv = 0.0;
      if (k0 + bk < dims.K && col0 + bc < dims.N) { bv = B[(k0 + bk) * dims.N + col0 + bc]; }
      Bs[bk * TN + bc] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var a: array<f32, 4>;
      var bb: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) {
        a[i] = As[kk * TM + lid.y * 4u + i];
        bb[i] = Bs[kk * TN + lid.x * 4u + i];
      }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i * 4u + j] += a[i] * bb[j]; }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + lid.y * 4u + i;
    if (r >= dims.M) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let c = col0 + lid.x * 4u + j;
      if (c < dims.N) { C[r * dims.N + c] = acc[i * 4u + j]; }
    }
  }
}
