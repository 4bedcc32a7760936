/**
 * The WebGPU device layer: adapter and device with explicitly requested limits, device-loss and
 * uncaptured-error handling (the device is recreated and listeners are told, so engines can
 * re-upload), a pipeline cache, pooled readback buffers and optional timestamp queries.
 * Works with `navigator.gpu` in the browser and with Dawn's `GPU` object in Node (node.ts).
 */
import { SHADERS, type ShaderName } from './shaders';

/** Limits the kernels want; each is requested up to what the adapter offers. */
const WANTED_LIMITS = {
  maxStorageBufferBindingSize: 1024 * 1024 * 1024,
  maxBufferSize: 1024 * 1024 * 1024,
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 256,
  maxComputeWorkgroupsPerDimension: 65535,
} as const;

export type DeviceEvent =
  | { type: 'lost'; reason: string; message: string }
  | { type: 'recreated' }
  | { type: 'error'; message: string };

export type DeviceListener = (e: DeviceEvent) => void;

/** GPU time per kernel label, from timestamp queries (empty when the feature is missing). */
export type KernelTimes = Map<string, { ns: number; passes: number; flops: number }>;

/**
 * Timestamp slots: 2 per pass, 4096 queries being WebGPU's largest query set. One driver submit
 * encodes up to ~1003 passes (500 shared-regime steps of gemm + update, plus assemble, count, check),
 * so `timingFull` asks for a flush once half the slots are used: the next submit always fits.
 */
const MAX_TIMED_PASSES = 2048;

export class GpuContext {
  device!: GPUDevice;
  adapterInfo = '';
  hasTimestamps = false;
  /** The limits granted to the device (what chunking must respect). */
  limits!: GPUSupportedLimits;
  private readonly listeners = new Set<DeviceListener>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  /** Free MAP_READ buffers by size. */
  private readonly readPool = new Map<number, GPUBuffer[]>();
  private disposed = false;
  /** Settles when the current device is usable (after a recreation following a loss). */
  private ready: Promise<void> = Promise.resolve();
  /** Bumped on every device (re)creation; engines compare it to detect stale buffers. */
  generation = 0;
  private timing: {
    set: GPUQuerySet | null;
    labels: { label: string; flops: number }[];
    times: KernelTimes;
  } | null = null;
  private readonly cache = new Map<string, unknown>();

  private constructor(private readonly gpu: GPU) {}

  /** Requests an adapter and device; throws a clear error when none is available. */
  static async create(gpu: GPU | undefined, listener?: DeviceListener): Promise<GpuContext> {
    if (!gpu) throw new Error('WebGPU is not available (no navigator.gpu / Dawn GPU object)');
    const ctx = new GpuContext(gpu);
    if (listener) ctx.listeners.add(listener);
    await ctx.init();
    return ctx;
  }

  private async init(): Promise<void> {
    const adapter = await this.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('WebGPU: requestAdapter() returned null (no usable GPU adapter)');
    const requiredLimits: Record<string, number> = {};
    for (const [k, v] of Object.entries(WANTED_LIMITS)) {
      const have = (adapter.limits as unknown as Record<string, number>)[k];
      if (typeof have === 'number') requiredLimits[k] = Math.min(have, v);
    }
    if (requiredLimits.maxStorageBuffersPerShaderStage < 8) {
      throw new Error(
        `WebGPU adapter offers only ${requiredLimits.maxStorageBuffersPerShaderStage} storage buffers per stage; 8 are needed`,
      );
    }
    this.hasTimestamps = adapter.features.has('timestamp-query');
    const requiredFeatures: GPUFeatureName[] = this.hasTimestamps ? ['timestamp-query'] : [];
    const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
    const info = adapter.info;
    this.adapterInfo =
      [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ') ||
      'unknown adapter';
    this.device = device;
    this.limits = device.limits;
    this.generation++;
    this.pipelines.clear();
    this.readPool.clear();
    this.cache.clear();
    this.timing = null;
    device.addEventListener('uncapturederror', (ev) => {
      const message = (ev as GPUUncapturedErrorEvent).error.message;
      this.emit({ type: 'error', message });
    });
    void device.lost.then(async (lost) => {
      if (this.disposed || this.device !== device) return;
      this.emit({ type: 'lost', reason: lost.reason, message: lost.message });
      this.ready = this.init().then(
        () => this.emit({ type: 'recreated' }),
        (e: Error) =>
          this.emit({ type: 'error', message: `device recreation failed: ${e.message}` }),
      );
      await this.ready;
    });
  }

  /**
   * Runs `run` under validation and out-of-memory error scopes (an error in them is thrown); if the
   * device is lost meanwhile, waits for its recreation and runs it once more (`run` must upload
   * afresh).
   */
  async runRecovering<T>(run: () => Promise<T>): Promise<T> {
    const gen = this.generation;
    const device = this.device;
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    const popBoth = async () => [await device.popErrorScope(), await device.popErrorScope()];
    let out: T;
    try {
      out = await run();
    } catch (e) {
      if (this.generation === gen) {
        await popBoth().catch(() => undefined);
        throw e;
      }
      await this.waitReady();
      return run();
    }
    const [oom, invalid] = await popBoth();
    if (oom || invalid)
      throw new Error(`WebGPU error during the solve: ${(oom ?? invalid)?.message}`);
    return out;
  }

  /** Resolves once a lost device has been recreated (immediately otherwise). */
  waitReady(): Promise<void> {
    return this.ready;
  }

  addListener(l: DeviceListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit(e: DeviceEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** Compute pipeline for (shader, entry point, overrides), compiled once per device. */
  pipeline(
    shader: ShaderName,
    entryPoint: string,
    layout: GPUPipelineLayout | 'auto',
    constants: Record<string, number> = {},
    layoutKey = '',
  ): GPUComputePipeline {
    const key = `${shader}:${entryPoint}:${JSON.stringify(constants)}:${layoutKey}`;
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ label: shader, code: SHADERS[shader] });
      p = this.device.createComputePipeline({
        label: `${shader}.${entryPoint}`,
        layout,
        compute: { module, entryPoint, constants },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** A per-device object (layouts), rebuilt after the device is recreated. */
  cached<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  /** Storage buffer initialised from `data` (padded to 16 bytes, never empty). */
  storage(label: string, data: Float32Array | number, extraUsage = 0): GPUBuffer {
    const bytes = typeof data === 'number' ? data * 4 : data.byteLength;
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    if (size > this.limits.maxStorageBufferBindingSize) {
      throw new Error(
        `${label}: ${size} bytes exceed maxStorageBufferBindingSize ${this.limits.maxStorageBufferBindingSize}`,
      );
    }
    const buf = this.device.createBuffer({
      label,
      size,
      usage:
        GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | extraUsage,
    });
    if (typeof data !== 'number')
      this.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return buf;
  }

  uniform(label: string, bytes: ArrayBuffer): GPUBuffer {
    const buf = this.device.createBuffer({
      label,
      size: Math.max(16, bytes.byteLength),
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.device.queue.writeBuffer(buf, 0, bytes);
    return buf;
  }

  /** Copies `size` bytes of `src` at `offset` back to the CPU through a pooled MAP_READ buffer. */
  read(
    src: GPUBuffer,
    offset: number,
    size: number,
    encoder?: GPUCommandEncoder,
  ): Promise<Float32Array> {
    return this.readRanges(src, [[offset, size]], encoder);
  }

  /**
   * Copies several [offset, size] byte ranges of `src` (4-byte aligned) into one pooled MAP_READ
   * buffer, one after the other, and returns them concatenated (one map for all).
   */
  async readRanges(
    src: GPUBuffer,
    ranges: [number, number][],
    encoder?: GPUCommandEncoder,
  ): Promise<Float32Array> {
    const size = ranges.reduce((t, [, n]) => t + n, 0);
    const cap = Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(size, 1))));
    const pool = this.readPool.get(cap) ?? [];
    this.readPool.set(cap, pool);
    const rb =
      pool.pop() ??
      this.device.createBuffer({
        label: `readback${cap}`,
        size: cap,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
    const enc = encoder ?? this.device.createCommandEncoder();
    let at = 0;
    for (const [offset, n] of ranges) {
      enc.copyBufferToBuffer(src, offset, rb, at, n);
      at += n;
    }
    this.device.queue.submit([enc.finish()]);
    const gen = this.generation;
    await rb.mapAsync(GPUMapMode.READ, 0, Math.max(size, 4));
    const out = new Float32Array(rb.getMappedRange(0, size).slice(0));
    rb.unmap();
    if (gen === this.generation) pool.push(rb);
    return out;
  }

  /**
   * Starts collecting per-label kernel statistics: GPU time from timestamp queries when the
   * feature exists, and the flop counts the engines declare per pass (always).
   */
  startTiming(): void {
    const set = this.hasTimestamps
      ? this.device.createQuerySet({ type: 'timestamp', count: 2 * MAX_TIMED_PASSES })
      : null;
    this.timing = { set, labels: [], times: new Map() };
  }

  /** Compute pass descriptor, with timestamp writes while timing and slots remain. */
  passDescriptor(label: string, flops = 0): GPUComputePassDescriptor {
    const t = this.timing;
    if (!t) return { label };
    if (!t.set) {
      this.accumulate(label, 0, flops);
      return { label };
    }
    if (t.labels.length >= MAX_TIMED_PASSES)
      throw new Error(`timing: flushTiming() must be called before ${MAX_TIMED_PASSES} passes`);
    const k = t.labels.push({ label, flops }) - 1;
    return {
      label,
      timestampWrites: {
        querySet: t.set,
        beginningOfPassWriteIndex: 2 * k,
        endOfPassWriteIndex: 2 * k + 1,
      },
    };
  }

  private accumulate(label: string, ns: number, flops: number): void {
    const times = this.timing?.times;
    if (!times) return;
    const e = times.get(label) ?? { ns: 0, passes: 0, flops: 0 };
    e.ns += ns;
    e.passes++;
    e.flops += flops;
    times.set(label, e);
  }

  /** True when the timed passes since the last flush approach the query set's capacity. */
  timingFull(): boolean {
    return !!this.timing?.set && this.timing.labels.length >= MAX_TIMED_PASSES / 2;
  }

  /** Resolves the timestamps written since the last flush into the per-label totals. */
  async flushTiming(): Promise<void> {
    const t = this.timing;
    if (!t || !t.set || t.labels.length === 0) return;
    const count = 2 * t.labels.length;
    const resolve = this.device.createBuffer({
      size: count * 8,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    const enc = this.device.createCommandEncoder();
    enc.resolveQuerySet(t.set, 0, count, resolve, 0);
    const raw = await this.read(resolve, 0, count * 8, enc);
    const ticks = new BigUint64Array(raw.buffer, 0, count);
    const labels = t.labels;
    t.labels = [];
    labels.forEach(({ label, flops }, k) => {
      const ns = Number(ticks[2 * k + 1] - ticks[2 * k]);
      this.accumulate(label, ns > 0 ? ns : 0, flops);
    });
    resolve.destroy();
  }

  /** Stops timing and returns the totals collected. */
  async stopTiming(): Promise<KernelTimes> {
    await this.flushTiming();
    const times = this.timing?.times ?? new Map();
    this.timing?.set?.destroy();
    this.timing = null;
    return times;
  }

  dispose(): void {
    this.disposed = true;
    for (const pool of this.readPool.values()) for (const b of pool) b.destroy();
    this.readPool.clear();
    this.pipelines.clear();
    this.device?.destroy();
  }
}
