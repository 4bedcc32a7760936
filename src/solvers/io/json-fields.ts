/**
 * Readers for the fields of a JSON problem: dense or CSC matrices, cost vectors and
 * bound vectors. Each reader checks its input completely and reports the first
 * defect through `fail`, which prefixes the problem index and throws.
 */
import type { Csc } from '../qp/types';
import { cscAlloc, cscFromMatrix, cscFromTriplets } from '../linalg/sparse/csc';
import { boundValue, echo } from './errors';

/** Throws a ProblemFormatError with the problem's prefix; never returns. */
export type Fail = (message: string) => never;

/** Largest rows×cols of a matrix written out densely (an array of rows) in a file. */
export const MAX_DENSE_ENTRIES = 50_000_000;
/** Largest number of rows or columns a matrix may declare, whatever its entries. */
export const MAX_DIMENSION = 50_000_000;

const CSC_KEYS = new Set(['shape', 'indptr', 'indices', 'data', 'nnz', 'format']);

export interface ParsedMatrix {
  /** The matrix in canonical CSC (an array of rows loses its zeros; a CSC object sums duplicates). */
  matrix: Csc;
  /** False for an empty dense matrix `[]`, whose column count the caller must supply. */
  colsKnown: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string "${echo(v, 20)}"`;
  return typeof v === 'object' ? 'an object' : String(v);
}

function checkDenseSize(field: string, rows: number, cols: number, fail: Fail): void {
  if (rows * cols > MAX_DENSE_ENTRIES) {
    fail(
      `${field} is ${rows}×${cols}, too large to give as an array of rows (at most ${MAX_DENSE_ENTRIES} entries; use the CSC form)`,
    );
  }
}

/**
 * Entries a matrix field declares, read without allocating: rows × columns of an array of rows,
 * indptr's last value (else data's length) of a CSC object; 0 when malformed (readMatrix reports).
 */
export function declaredEntries(value: unknown): number {
  if (Array.isArray(value)) {
    const first = value[0];
    return Array.isArray(first) ? value.length * first.length : 0;
  }
  if (!isRecord(value)) return 0;
  const { indptr, data } = value;
  if (Array.isArray(indptr) && indptr.length > 0 && isIndex(indptr[indptr.length - 1]))
    return indptr[indptr.length - 1] as number;
  return Array.isArray(data) ? data.length : 0;
}

/**
 * [rows, cols] a matrix field declares, read without allocating anything: an array of rows gives
 * its length and the length of its first row; a CSC object its `shape`. Undefined when the field
 * is malformed (readMatrix then reports why) or an empty `[]` (no rows, columns unknown).
 */
export function declaredShape(value: unknown): [number, number] | undefined {
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return Array.isArray(value[0]) ? [value.length, value[0].length] : undefined;
  }
  if (!isRecord(value)) return undefined;
  const shape = value.shape;
  if (Array.isArray(shape) && shape.length === 2 && isIndex(shape[0]) && isIndex(shape[1]))
    return [shape[0], shape[1]];
  return undefined;
}

/** A matrix given as an array of rows, or as CSC {shape, indptr, indices, data}. */
export function readMatrix(value: unknown, field: string, fail: Fail): ParsedMatrix {
  if (Array.isArray(value)) return readDense(value, field, fail);
  if (isRecord(value)) return { matrix: readCsc(value, field, fail), colsKnown: true };
  return fail(`${field} must be an array of rows or a CSC object, got ${describe(value)}`);
}

function readDense(rowsData: unknown[], field: string, fail: Fail): ParsedMatrix {
  const rows = rowsData.length;
  if (rows === 0) return { matrix: cscAlloc(0, 0, 0), colsKnown: false };
  const first = rowsData[0];
  if (!Array.isArray(first))
    return fail(`${field}[0] must be an array (a matrix row), got ${describe(first)}`);
  const cols = first.length;
  checkDenseSize(field, rows, cols, fail);
  const I: number[] = [];
  const J: number[] = [];
  const V: number[] = [];
  for (let i = 0; i < rows; i++) {
    const row = rowsData[i];
    if (!Array.isArray(row))
      fail(`${field}[${i}] must be an array (a matrix row), got ${describe(row)}`);
    const r = row as unknown[];
    if (r.length !== cols)
      fail(`${field}[${i}] has ${r.length} entries but ${field}[0] has ${cols}`);
    for (let j = 0; j < cols; j++) {
      const v = r[j];
      if (typeof v !== 'number' || !Number.isFinite(v))
        fail(`${field}[${i}][${j}] must be a finite number, got ${describe(v)}`);
      if (v === 0) continue;
      I.push(i);
      J.push(j);
      V.push(v as number);
    }
  }
  return { matrix: cscFromTriplets(rows, cols, I, J, V), colsKnown: true };
}

/** A CSC object, checked entry by entry, as canonical typed CSC (duplicates summed, as scipy). */
function readCsc(obj: Record<string, unknown>, field: string, fail: Fail): Csc {
  for (const key of Object.keys(obj)) {
    if (!CSC_KEYS.has(key))
      fail(`${field}: unknown CSC key "${echo(key)}" (expected shape, indptr, indices, data)`);
  }
  if (obj.format !== undefined && obj.format !== 'csc')
    fail(`${field}.format must be "csc", got ${describe(obj.format)}`);
  const { shape, indptr, indices, data } = obj;
  if (!Array.isArray(shape) || shape.length !== 2 || !isIndex(shape[0]) || !isIndex(shape[1])) {
    return fail(`${field}.shape must be [rows, cols] with non-negative integers`);
  }
  const [rows, cols] = shape as [number, number];
  if (!Array.isArray(indptr)) return fail(`${field}.indptr must be an array`);
  if (!Array.isArray(indices)) return fail(`${field}.indices must be an array`);
  if (!Array.isArray(data)) return fail(`${field}.data must be an array`);
  if (indptr.length !== cols + 1) {
    fail(
      `${field}.indptr has length ${indptr.length} but shape has ${cols} columns (expected ${cols + 1})`,
    );
  }
  for (let j = 0; j <= cols; j++) {
    if (!isIndex(indptr[j]))
      fail(`${field}.indptr[${j}] must be a non-negative integer, got ${describe(indptr[j])}`);
  }
  if (indptr[0] !== 0) fail(`${field}.indptr[0] must be 0, got ${indptr[0]}`);
  for (let j = 0; j < cols; j++) {
    if (indptr[j + 1] < indptr[j])
      fail(
        `${field}.indptr is not monotone: indptr[${j + 1}] = ${indptr[j + 1]} < indptr[${j}] = ${indptr[j]}`,
      );
  }
  const nnz = indptr[cols] as number;
  if (indices.length !== nnz)
    fail(`${field}.indices has length ${indices.length} but indptr[${cols}] = ${nnz}`);
  if (data.length !== nnz)
    fail(`${field}.data has length ${data.length} but indptr[${cols}] = ${nnz}`);
  if (obj.nnz !== undefined && obj.nnz !== nnz)
    fail(`${field}.nnz is ${describe(obj.nnz)} but indptr[${cols}] = ${nnz}`);
  const M = cscAlloc(rows, cols, nnz);
  M.indptr.set(indptr as number[]);
  for (let k = 0; k < nnz; k++) {
    const i = indices[k];
    if (!isIndex(i) || i >= rows)
      fail(`${field}.indices[${k}] = ${describe(i)} is out of range for ${rows} rows`);
    const v = data[k];
    if (typeof v !== 'number' || !Number.isFinite(v))
      fail(`${field}.data[${k}] must be a finite number, got ${describe(v)}`);
    M.indices[k] = i as number;
    M.data[k] = v as number;
  }
  // Rows sorted within columns, duplicates summed (the CSC convention of scipy and OSQP).
  return cscFromMatrix(M, field);
}

/** A vector of finite numbers (q). */
export function readVector(value: unknown, field: string, fail: Fail): Float64Array {
  if (!Array.isArray(value))
    return fail(`${field} must be an array of numbers, got ${describe(value)}`);
  const out = new Float64Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      fail(`${field}[${i}] must be a finite number, got ${describe(v)}`);
    out[i] = v as number;
  }
  return out;
}

/**
 * A bound vector: null means unbounded on this side (−∞ for l, +∞ for u);
 * a number with |v| ≥ 1e19 is ±∞ by its own sign.
 */
export function readBounds(value: unknown, field: 'l' | 'u', fail: Fail): Float64Array {
  if (!Array.isArray(value))
    return fail(`${field} must be an array of numbers or nulls, got ${describe(value)}`);
  const out = new Float64Array(value.length);
  const open = field === 'l' ? -Infinity : Infinity;
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (v === null) out[i] = open;
    else if (typeof v === 'number' && !Number.isNaN(v)) out[i] = boundValue(v);
    else fail(`${field}[${i}] must be a number or null, got ${describe(v)}`);
  }
  return out;
}

/** A non-negative integer field such as n or m, when present. */
export function readCount(value: unknown, field: string, fail: Fail): number | undefined {
  if (value === undefined) return undefined;
  if (!isIndex(value))
    return fail(`${field} must be a non-negative integer, got ${describe(value)}`);
  return value;
}

export { isRecord, describe };
