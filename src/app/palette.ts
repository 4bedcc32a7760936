/**
 * The gradient methods' colours and dash patterns. The colours stay apart for readers with
 * deuteranopia and protanopia (checked in palette.test.ts with the Machado et al. 2009 simulation),
 * each has at least 3:1 contrast on white, and each method also has its own dash pattern, so no
 * reading depends on colour alone.
 */
export interface LineStyle {
  color: string;
  /** SVG stroke-dasharray, in units of the stroke width's pixels ('' = solid). */
  dash: string;
}

export const METHOD_STYLE = {
  kkt: { color: '#4477aa', dash: '' },
  'smoothed-qp': { color: '#009e73', dash: '9 4' },
  lpgd: { color: '#785ef0', dash: '2 4' },
  identity: { color: '#999933', dash: '12 3 2 3' },
} as const satisfies Record<string, LineStyle>;

/** The true gradient: the page's ink, solid. */
export const TRUE_GRAD_STYLE: LineStyle = { color: '#1d2330', dash: '' };

/** The ADMM step-through's residual curves. */
export const RESIDUAL_STYLE = {
  prim: { color: '#4477aa', dash: '' },
  dual: { color: '#d55e00', dash: '7 4' },
} as const satisfies Record<string, LineStyle>;
