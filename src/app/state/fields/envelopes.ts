/** The Envelopes panel's fields: the LP's dimension, τ, ρ, the linearization point t₀, the curves. */
import { flagsField, floatField, intField } from './kinds';

/** The Lagrange–Moreau envelopes the Envelopes panel can draw. */
export const ENVELOPE_CURVES = ['lower', 'average', 'upper'] as const;
export type EnvelopeCurveName = (typeof ENVELOPE_CURVES)[number];

export const ENVELOPE_FIELDS = {
  dim: intField('dim', 'Dimension n of the box', 4, 2, 6),
  tau: floatField('tau', 'Temperature τ', 1, 0.01, 10, 4, true),
  rho: floatField('rho', 'Augmentation ρ', 0, 0, 5, 3),
  t0: floatField('t0', 'Linearization point t₀', 0.7, -2, 2, 3),
  /** Which of the three envelopes are drawn (the readout always lists all three). */
  curves: flagsField('curves', 'Envelopes drawn', ENVELOPE_CURVES, [...ENVELOPE_CURVES]),
} as const;
