/**
 * Fields for teaching with the app: presenter mode, the Geometry plot's zoom, and the "Step through
 * ADMM" settings a student may change (ρ, σ, adaptive ρ).
 */
import { boolField, floatField, parseDecimal, roundTo, type FieldBase } from './kinds';

/** A zoomed Geometry view: centre (cx, cy) and the span shown across the plot's shorter side. */
export type ViewTriple = [number, number, number];

/** The Geometry view: null fits the feasible set, ŵ and w (the default); else a zoom the user chose. */
export interface ViewField extends FieldBase<ViewTriple | null> {
  type: 'view';
  decimals: number;
  /** Largest |centre coordinate|. */
  bound: number;
  /** Smallest and largest span. */
  minSpan: number;
  maxSpan: number;
}

export function viewField(
  name: string,
  label: string,
  decimals: number,
  bound: number,
  minSpan: number,
  maxSpan: number,
): ViewField {
  const round = (v: ViewTriple): ViewTriple => [
    roundTo(v[0], decimals),
    roundTo(v[1], decimals),
    roundTo(v[2], decimals),
  ];
  return {
    type: 'view',
    name,
    label,
    default: null as ViewTriple | null,
    decimals,
    bound,
    minSpan,
    maxSpan,
    encode: (v) => (v === null ? 'fit' : round(v).map(String).join(',')),
    decode: (text) => {
      if (text === 'fit') return null;
      const nums = text.split(',').map(parseDecimal);
      if (nums.length !== 3 || nums.some((c) => !Number.isFinite(c)))
        throw new Error(`expected "fit" or three numbers centre₁,centre₂,span, got "${text}"`);
      const [cx, cy, span] = round(nums as ViewTriple);
      if (Math.abs(cx) > bound || Math.abs(cy) > bound)
        throw new Error(`the centre must lie in [−${bound}, ${bound}]², got "${text}"`);
      if (!(span >= minSpan && span <= maxSpan))
        throw new Error(`the span must lie in [${minSpan}, ${maxSpan}], got "${text}"`);
      return [cx, cy, span];
    },
  };
}

/** Largest zoom-out and zoom-in of the Geometry plot, plot units across its shorter side. */
export const VIEW_MIN_SPAN = 0.05;
export const VIEW_MAX_SPAN = 200;

export const CLASSROOM_FIELDS = {
  /** Presenter mode: large type, the plot filling the screen, a QR code of the link. */
  present: boolField('present', 'Presenter mode', false),
  /** The Geometry plot's view: "fit", or a zoom and pan the user chose. */
  gview: viewField('gview', 'Geometry view', 4, 1000, VIEW_MIN_SPAN, VIEW_MAX_SPAN),
  /** Whether "Step through ADMM" is open on the Geometry panel. */
  admm: boolField('admm', 'Step through ADMM', false),
  /** The step-through's starting ρ (OSQP's default 0.1). */
  arho: floatField('arho', 'Starting ρ', 0.1, 1e-4, 1e3, 6, true),
  /** The step-through's σ, the x-update's regularization (OSQP's default 1e-6). */
  asigma: floatField('asigma', 'σ', 1e-6, 1e-8, 10, 10, true),
  /** Whether the step-through lets OSQP's rule adapt ρ. */
  aadapt: boolField('aadapt', 'Adaptive ρ', true),
} as const;
