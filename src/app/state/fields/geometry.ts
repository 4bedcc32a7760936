/** The Geometry panel's fields. */
import { boolField, enumField, flagsField, floatField, halfPlanesField, vec2Field } from './kinds';

export const GEOMETRY_PRESETS = ['polygon', 'simplex', 'custom'] as const;
export type GeometryPresetName = (typeof GEOMETRY_PRESETS)[number];

/** Largest |coordinate| accepted for ŵ: the plots show roughly [−2.5, 2.5]. */
export const WHAT_BOUND = 10;
/** ŵ is kept on a 10⁻³ grid (far below a pixel) so the hash is short and round-trips exactly. */
export const WHAT_DECIMALS = 3;

/** Gradient methods the Geometry panel can draw (names as in src/workers/geometryJob). */
export const GRAD_VIEWS = ['kkt', 'smoothed-qp', 'lpgd', 'identity'] as const;
export type GradViewName = (typeof GRAD_VIEWS)[number];

export const GEOMETRY_FIELDS = {
  preset: enumField('preset', 'Feasible set', GEOMETRY_PRESETS, 'polygon', {
    polygon: 'Pentagon',
    simplex: 'Simplex (3-asset portfolio)',
    custom: 'Custom half-planes (editable)',
  }),
  what: vec2Field('what', 'Prediction ŵ', [1.2, 0.4], WHAT_DECIMALS, WHAT_BOUND),
  /** Half-planes of the 'custom' preset: a box with one corner cut off. */
  cons: halfPlanesField(
    'cons',
    'Half-planes a₁x₁ + a₂x₂ ≤ h',
    [
      [1, 0, 1],
      [0, 1, 1],
      [-1, 0, 1],
      [0, -1, 1],
      [1, 1, 1.5],
    ],
    3,
    100,
    12,
  ),
  /** The true parameter w of the loss ½‖x̂ − w‖². */
  w: vec2Field('w', 'True parameter w', [-0.4, -0.3], WHAT_DECIMALS, WHAT_BOUND),
  gtau: floatField('gtau', 'LPGD τ', 0.5, 0.001, 10, 4, true),
  grads: flagsField('grads', 'Gradient methods', GRAD_VIEWS, [...GRAD_VIEWS]),
  ball: boolField('ball', 'Smoothing ball', false),
} as const;
