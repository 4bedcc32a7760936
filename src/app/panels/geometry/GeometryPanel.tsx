import { useMemo, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Cite } from '../../components/Cite';
import { Term } from '../../components/Glossary';
import { EnumSelect, Vec2Input } from '../../components/SchemaControls';
import { ShareQr } from '../../components/ShareQr';
import { Slider } from '../../components/Slider';
import { setBall, setGradTau, setPreset, setW, setWhat, toggleGradView } from '../../state/actions';
import { setWalkOpen } from '../../state/classroomActions';
import { SCHEMA, type GeometryPresetName } from '../../state/schema';
import { useAppStore } from '../../state/store';
import { AdmmWalk } from './admm/AdmmWalk';
import { useWalk } from './admm/useWalk';
import { ConstraintEditor } from './ConstraintEditor';
import { GeometryPlot } from './GeometryPlot';
import { GradientReadout } from './GradientReadout';
import { KeyReadout, LineSwatch } from './KeyReadout';
import { METHOD_INFO, TRUE_GRAD_COLOR } from './gradients';
import type { PlotView } from './plot';
import { presetFor, type Vec2 } from './presets';
import { Readout } from './Readout';
import { useGeometryJob } from './useGeometryJob';

const HEADINGS: Record<GeometryPresetName, string> = {
  polygon: 'Projection onto a polygon',
  simplex: 'Projection onto the probability simplex',
  custom: 'Projection onto your half-planes',
};

/** The readout's table is the plot's text alternative (aria-describedby). */
const READOUT_ID = 'geometry-readout-text';

export function GeometryPanel() {
  const c = useAppStore(
    useShallow((s) => ({
      presetName: s.config.preset,
      cons: s.config.cons,
      what: s.config.what,
      solve: s.geometry.solve,
      error: s.geometry.error,
      w: s.config.w,
      gtau: s.config.gtau,
      grads: s.config.grads,
      ball: s.config.ball,
      route: s.config.batch,
      gview: s.config.gview,
      present: s.config.present,
      admm: s.config.admm,
      arho: s.config.arho,
      asigma: s.config.asigma,
      aadapt: s.config.aadapt,
    })),
  );
  const { presetName, cons, what, solve, error, w, gtau, grads, ball, route, present } = c;
  const preset = useMemo(() => presetFor({ preset: presetName, cons }), [presetName, cons]);
  const grad = useGeometryJob(presetName, preset, what, w, gtau, grads, route);
  const walkSettings = useMemo(
    () => ({ rho: c.arho, sigma: c.asigma, adaptive: c.aadapt }),
    [c.arho, c.asigma, c.aadapt],
  );
  const walk = useWalk(c.admm, preset, what, walkSettings, route);
  // Arrows start at the ŵ they were computed for, so a drag never pairs one ŵ with another's update.
  const gradients = useMemo(
    () =>
      grad.response && grad.preset === preset
        ? { preset, what: grad.response.what, response: grad.response, methods: grads, ball }
        : null,
    [grad, preset, grads, ball],
  );
  // A solve for another preset, or for a custom polygon with a different number of rows, is stale.
  const current =
    solve && solve.preset === presetName && solve.result.y.length === preset.rows.length
      ? solve
      : null;
  // x* and its active set are drawn only for a solved problem (an empty polygon has none).
  const solved =
    current &&
    (current.result.status === 'solved' || current.result.status === 'solved_inaccurate');
  const view = useMemo<PlotView>(
    () => ({
      preset,
      what,
      solution: solved
        ? { x: [current.result.x[0], current.result.x[1]] as Vec2, active: current.result.active }
        : null,
      w,
      gradients,
      view: c.gview,
      present,
    }),
    [preset, what, current, solved, w, gradients, c.gview, present],
  );

  const controls: ReactNode = (
    <>
      <h2>{HEADINGS[presetName]}</h2>
      <div className="controls">
        <EnumSelect field={SCHEMA.preset} value={presetName} onChange={setPreset} />
        <Vec2Input field={SCHEMA.what} value={what} names={preset.vars} onChange={setWhat} />
        <Vec2Input field={SCHEMA.w} value={w} names={preset.vars} onChange={setW} />
        <button type="button" onClick={() => setWhat(preset.defaultWhat)}>
          Reset ŵ
        </button>
      </div>
      {presetName === 'custom' && <ConstraintEditor cons={cons} />}
      <Readout preset={preset} solve={current} error={error} tableId={READOUT_ID} />
      <div className="controls">
        <Slider
          field={SCHEMA.gtau}
          value={gtau}
          onChange={setGradTau}
          format={(v) => (v < 0.1 ? v.toPrecision(2) : v.toFixed(2))}
        />
      </div>
      <GradientReadout
        state={grad}
        methods={grads}
        onToggle={toggleGradView}
        ball={ball}
        onBall={setBall}
      />
      <Explanation presetName={presetName} />
    </>
  );

  const walkToggle = (
    <button
      type="button"
      className={c.admm ? 'walk-toggle on' : 'walk-toggle'}
      aria-expanded={c.admm}
      aria-controls={c.admm ? 'admm-walk' : undefined}
      data-testid="admm-toggle"
      onClick={() => setWalkOpen(!c.admm)}
    >
      {c.admm ? 'Hide the ADMM iterations' : 'Step through ADMM'}
    </button>
  );

  // Below the plot; in presenter mode in the column beside it, so the plot keeps the screen.
  const walkSection = c.admm && (
    <div id="admm-walk">
      <AdmmWalk
        walk={walk}
        solvedX={solved ? Array.from(current.result.x) : null}
        present={present}
      />
    </div>
  );

  return (
    <div className={present ? 'geometry presenting' : 'geometry'}>
      <div className="geometry-main">
        <section className="geometry-figure card" aria-label="Plot">
          <GeometryPlot view={view} describedBy={READOUT_ID} walk={c.admm ? walk : null} />
          {!present && (
            <>
              <Legend />
              {walkToggle}
            </>
          )}
        </section>
        {c.admm && !present && walkSection}
      </div>
      <section className="geometry-side card" aria-label="Controls and readout">
        {present ? (
          <>
            <KeyReadout preset={preset} solve={current} grad={grad} />
            {walkToggle}
            {c.admm && walkSection}
            <ShareQr size={240} />
            <details className="presenter-more">
              <summary data-testid="presenter-more-summary">Legend, controls and details</summary>
              <Legend />
              {controls}
            </details>
          </>
        ) : (
          controls
        )}
      </section>
    </div>
  );
}

function Legend() {
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        <span className="sw sw-set" /> feasible set C
      </li>
      <li>
        <span className="sw sw-what" /> prediction ŵ (drag it, or focus it and use the arrow keys)
      </li>
      <li>
        <span className="sw sw-x" /> x*(ŵ) = argmin ‖x − ŵ‖² over C
      </li>
      <li>
        <span className="sw sw-cone" /> <Term id="gradient-cone">gradient cone</Term> x* + G(x*),{' '}
        <Term id="active-set">active</Term> edges in orange
      </li>
      <li>
        <span className="sw sw-fan" /> normal cones of the other vertices
      </li>
      <li>
        <span className="sw sw-w" /> true parameter w (drag it too)
      </li>
      <li>
        <LineSwatch color={TRUE_GRAD_COLOR} dash="" /> true gradient from x̂; from ŵ, each method’s
        update Δŵ:{' '}
        {Object.values(METHOD_INFO).map((m) => (
          <span key={m.label} className="legend-method">
            <LineSwatch color={m.color} dash={m.dash} /> {m.label}
          </span>
        ))}{' '}
        (a ring = zero update, a dot = shorter than its arrowhead)
      </li>
      <li>Drag the background to pan; wheel, pinch or + / − to zoom; Fit shows everything.</li>
    </ul>
  );
}

function Explanation({ presetName }: { presetName: GeometryPresetName }) {
  return (
    <div className="explain">
      <p>
        x*(ŵ) = argmin ‖x − ŵ‖² over the rows above, an OSQP-form QP solved in a Web Worker on every
        move. By <Term id="kkt">KKT</Term> (<Cite paper="ysp" at="Property 3.5" />
        ), −∇f(x*) = 2(ŵ − x*) is a nonnegative combination of the active outward normals, so the
        dashed segment from x* to ŵ always lies in the orange{' '}
        <Term id="gradient-cone">gradient cone</Term>. While ŵ stays in a vertex’s cone, x* does not
        move: ∂x*/∂ŵ = 0.
      </p>
      {presetName === 'simplex' && (
        <p data-testid="simplex-explanation">
          <strong>Simplex.</strong> A portfolio w ∈ ℝ³ with w ≥ 0, Σw = 1. Eliminating w₃ = 1 − w₁ −
          w₂ leaves the decision (w₁, w₂), and w₃ ≥ 0 becomes the half-plane w₁ + w₂ ≤ 1. With ŵ in
          the plane Σw = 1, the 3-D objective ‖w − ŵ‖² is (w₁−ŵ₁)² + (w₂−ŵ₂)² + (w₁+w₂−ŵ₁−ŵ₂)², so P
          = 2·[[2, 1], [1, 2]], not 2I: on (w₁, w₂) axes the projection would look oblique. The plot
          draws the plane isometrically (an equilateral triangle with corners e₁, e₂, e₃), where it
          is orthogonal. Dragging in 2-D loses nothing: a ŵ off the plane has the same x* as its
          foot on the plane, since the two distances differ by a constant.
        </p>
      )}
    </div>
  );
}
