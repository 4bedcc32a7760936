/** JSON output of the CLI: results as plain objects, non-finite numbers as null. */
import type { QpResult } from '../solvers/qp';

/** A finite number, or null (JSON has no NaN or Infinity). */
export function jsonNumber(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function jsonArray(v: ArrayLike<number>): (number | null)[] {
  return Array.from(v, jsonNumber);
}

/** The printed form of one result; `name` comes from the problem file when it has one. */
export function resultToJson(r: QpResult, engine: string, name?: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof name === 'string') out.name = name;
  Object.assign(out, {
    status: r.status,
    obj: jsonNumber(r.obj),
    x: jsonArray(r.x),
    y: jsonArray(r.y),
    z: jsonArray(r.z),
    iter: r.iter,
    prim_res: jsonNumber(r.prim_res),
    dual_res: jsonNumber(r.dual_res),
    time_ms: jsonNumber(r.time_ms),
    engine,
    polish: r.polish,
    rho: jsonNumber(r.rho),
    rho_updates: r.rho_updates,
    active: r.active,
  });
  if (r.linsys !== undefined) out.linsys = r.linsys;
  if (r.message !== undefined) out.message = r.message;
  if (r.certificate !== undefined) out.certificate = jsonArray(r.certificate);
  return out;
}

/**
 * Characters JSON.stringify leaves raw that a terminal acts on: DEL, the C1 controls (U+009B is a
 * one-character CSI) and the bidirectional overrides. (It already escapes U+0000–U+001F.)
 */
const RAW_CONTROL = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** One line of JSON for stdout, with every control character escaped (still valid JSON). */
export function jsonLine(value: unknown): string {
  const text = JSON.stringify(value).replace(
    RAW_CONTROL,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return text + '\n';
}
