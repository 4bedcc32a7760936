/**
 * What both WebGPU regimes share as ADMM backends of the driver (src/solvers/qp/driver.ts): the
 * iterates and info records on the device, one submit per `iterate` call, the check pass and its
 * readback as `evaluate`, stopping problems, and reading iterates back in Float64. The regimes
 * differ only in how they encode iterations and apply a new ρ.
 */
import type { AdmmBackend, ScaledIterate } from '../solvers/qp/driver';
import type { AdmmEvaluation } from '../solvers/qp/evaluation';
import type { GpuContext } from './device';
import {
  admmBindGroup,
  admmLayout,
  encodePass,
  evaluationOf,
  INFO,
  INFO_STRIDE,
  packParams,
  stateStride,
  type AdmmBuffers,
  type AdmmParams,
} from './admm-layout';

const WG = 64;

export abstract class GpuAdmmBackend implements AdmmBackend {
  /** A submit should take about this long: well under a second (watchdogs), long enough to amortize. */
  readonly chunkMs = 150;
  abstract readonly rhoScope: 'problem' | 'batch';
  /** The last info readback (iterations, PCG counts). */
  info: Float32Array;
  protected readonly bind: GPUBindGroup;
  protected readonly layout: GPUPipelineLayout;
  private readonly check: GPUComputePipeline;
  private running: Uint8Array;

  protected constructor(
    protected readonly ctx: GpuContext,
    readonly size: number,
    protected readonly n: number,
    protected readonly m: number,
    protected readonly buffers: AdmmBuffers,
    protected readonly params: Omit<AdmmParams, 'iters' | 'batch' | 'n' | 'm'>,
  ) {
    this.running = new Uint8Array(size).fill(1);
    this.info = new Float32Array(size * INFO_STRIDE);
    this.layout = admmLayout(ctx).layout;
    this.bind = admmBindGroup(ctx, buffers);
    this.check = ctx.pipeline('admmCheck', 'check', this.layout, { WG }, 'admm');
  }

  /** Encodes `steps` iterations of the running problems (and any pending ρ update). */
  protected abstract encodeSteps(enc: GPUCommandEncoder, steps: number): void;

  async iterate(steps: number): Promise<void> {
    if (this.ctx.timingFull()) await this.ctx.flushTiming();
    const { n, m, size } = this;
    this.ctx.device.queue.writeBuffer(
      this.buffers.params,
      0,
      packParams({ ...this.params, n, m, batch: size, iters: steps }),
    );
    const enc = this.ctx.device.createCommandEncoder();
    this.encodeSteps(enc, steps);
    this.ctx.device.queue.submit([enc.finish()]);
  }

  async evaluate(): Promise<AdmmEvaluation[]> {
    const { n, m, size } = this;
    const enc = this.ctx.device.createCommandEncoder();
    const flops = size * (4 * n * n + 8 * n * m);
    encodePass(this.ctx, enc, 'check', this.check, this.bind, size, 1, flops);
    this.info = await this.ctx.read(this.buffers.info, 0, size * INFO_STRIDE * 4, enc);
    this.observe(this.info);
    return Array.from({ length: size }, (_, b) => evaluationOf(this.info, b));
  }

  /** Sees every info readback (the PCG statistics). */
  protected observe(info: Float32Array): void {
    void info;
  }

  setRunning(running: Uint8Array): void {
    running.forEach((r, b) => {
      if (r === this.running[b]) return;
      const flag = Float32Array.of(r ? 0 : 1);
      this.ctx.device.queue.writeBuffer(
        this.buffers.info,
        (b * INFO_STRIDE + INFO.stopped) * 4,
        flag,
      );
    });
    this.running = Uint8Array.from(running);
  }

  abstract setRho(rho: Float64Array): void;

  async read(indices: number[]): Promise<ScaledIterate[]> {
    const { n, m } = this;
    const stride = stateStride(n, m);
    const raw = await this.ctx.readRanges(
      this.buffers.state,
      indices.map((b) => [b * stride * 4, stride * 4]),
    );
    return indices.map((_, k) => {
      const o = k * stride;
      const f = (a: number, len: number) => Float64Array.from(raw.subarray(o + a, o + a + len));
      return {
        x: f(0, n),
        z: f(n, m),
        y: f(n + m, m),
        dx: f(n + 2 * m, n),
        dy: f(2 * n + 2 * m, m),
      };
    });
  }

  async flush(): Promise<void> {
    await this.ctx.device.queue.onSubmittedWorkDone();
    if (this.ctx.timingFull()) await this.ctx.flushTiming();
  }

  /** The info records now (iteration counts; PCG totals), after the run. */
  async finalInfo(): Promise<Float32Array> {
    await this.ctx.flushTiming();
    this.info = await this.ctx.read(this.buffers.info, 0, this.size * INFO_STRIDE * 4);
    return this.info;
  }
}
