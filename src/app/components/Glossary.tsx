/**
 * A short glossary of the words the panels use, opened from dotted-underlined terms (<Term>) or the
 * footer. It is a modal <dialog>: focus moves into it, Escape closes it, and focus returns to the
 * term that opened it.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { create } from 'zustand';
import { Cite } from './Cite';

interface Entry {
  term: string;
  body: ReactNode;
}

export const GLOSSARY = {
  kkt: {
    term: 'KKT conditions',
    body: (
      <>
        The Karush–Kuhn–Tucker conditions say when x* solves a convex QP: there are multipliers y
        with Px* + q + Aᵀy = 0 (stationarity), l ≤ Ax* ≤ u (feasibility), and yᵢ = 0 for every row
        not at one of its bounds (complementary slackness). Differentiating these equations gives
        the exact gradient through the argmin (<Cite paper="bpqp" at="Sec. 3.2" />
        ).
      </>
    ),
  },
  'active-set': {
    term: 'Active set',
    body: (
      <>
        The constraints that hold with equality at x* (aᵢᵀx* = uᵢ or aᵢᵀx* = lᵢ). Only they can
        carry a nonzero multiplier. On the Geometry plot they are the orange edges through x*; the
        readout lists them as “upper” or “lower”.
      </>
    ),
  },
  'multiplier-sign': {
    term: 'Multiplier sign',
    body: (
      <>
        This app follows OSQP’s convention for the multipliers y: yᵢ &gt; 0 when row i presses
        against its upper bound uᵢ, yᵢ &lt; 0 against its lower bound lᵢ, and yᵢ = 0 when the row is
        inactive (<Cite paper="osqp" at="Sec. 2" />
        ). |yᵢ| is how fast the optimal value would improve if that bound were loosened.
      </>
    ),
  },
  'normal-cone': {
    term: 'Normal cone and N(x̂)',
    body: (
      <>
        At a point x̂ on the boundary, the outward normals of the active constraints span a cone of
        directions (the gradient cone G(x̂) below). N(x̂) is its linear span. Any part of the loss
        gradient that lies in N(x̂) is lost by the exact Jacobian: moving ŵ along an active normal
        does not move x̂ (<Cite paper="ysp" at="Lemma 3.7" />
        ). When all of it lies there, the gradient is zero although x̂ is wrong (
        <Cite paper="ysp" at="Theorem 3.8" />
        ).
      </>
    ),
  },
  'gradient-cone': {
    term: 'Gradient cone',
    body: (
      <>
        G(x) = {'{'} Σ αᵢnᵢ : αᵢ ≥ 0 {'}'}, the nonnegative combinations of the outward normals nᵢ
        of the constraints active at x (<Cite paper="ysp" at="Definition 3.4" />
        ). x solves the problem exactly when the objective’s gradient at x lies in it (
        <Cite paper="ysp" at="Property 3.5" />
        ): on the plot, the segment from x* to ŵ always lies in the orange cone.
      </>
    ),
  },
  polish: {
    term: 'Polish',
    body: (
      <>
        After ADMM has converged to modest accuracy, OSQP guesses the active set from the iterate
        and solves the equality-constrained system for that guess, which gives x* to machine
        precision when the guess is right (<Cite paper="osqp" at="Sec. 4" />
        ). The polished point is kept only if its residuals are smaller: “polish success”.
      </>
    ),
  },
  rho: {
    term: 'ρ (rho)',
    body: (
      <>
        In ADMM, ρ is the step size that weighs the constraints against the objective (
        <Cite paper="osqp" at="Algorithm 1" />
        ). Too small and the iterates stay infeasible for long; too large and the objective
        converges slowly. Adaptive ρ rescales it from the ratio of the primal and dual residuals. On
        the Envelopes panel, ρ is a different parameter: LPGD’s augmentation strength (
        <Cite paper="lpgd" at="Eq. 28" />
        ), which rounds the envelopes’ corners.
      </>
    ),
  },
  envelope: {
    term: 'Envelope (Lagrange–Moreau)',
    body: (
      <>
        A smoothed version of a piecewise-constant loss: the best value of the loss plus a penalty
        1/τ times how suboptimal a point is for the optimization problem (
        <Cite paper="lpgd" at="Eq. 10" />, upper envelope <Cite paper="lpgd" at="Eq. 12" />
        ). LPGD’s update is the gradient of this envelope, computed by solving the problem again at
        a shifted cost (<Cite paper="lpgd" at="Eq. 22" />
        ).
      </>
    ),
  },
  regret: {
    term: 'Regret',
    body: (
      <>
        How much a decision made with the prediction ŵ loses against the best decision for the true
        parameters w: maxₓ f(x, w) − f(x*(ŵ), w) ≥ 0. Predict-and-optimize trains the predictor to
        make it small (<Cite paper="ysp" at="Eq. 8" />, which writes it with the opposite sign).
      </>
    ),
  },
} as const satisfies Record<string, Entry>;

export type GlossaryId = keyof typeof GLOSSARY;

/** Which entry is open: one term, 'all' (from the footer), or none. */
export const useGlossary = create<{ open: GlossaryId | 'all' | null }>()(() => ({ open: null }));

export function openGlossary(id: GlossaryId | 'all'): void {
  useGlossary.setState({ open: id });
}

/** A dotted-underlined word that opens its glossary entry. */
export function Term({ id, children }: { id: GlossaryId; children: ReactNode }) {
  return (
    <button
      type="button"
      className="term"
      aria-haspopup="dialog"
      title={`What is “${GLOSSARY[id].term}”?`}
      data-term={id}
      onClick={() => openGlossary(id)}
    >
      {children}
    </button>
  );
}

export function GlossaryDialog() {
  const open = useGlossary((s) => s.open);
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      opener.current = document.activeElement as HTMLElement | null;
      d.showModal();
    }
    if (!open && d.open) d.close();
    if (open) {
      const target = d.querySelector<HTMLElement>(
        open === 'all' ? 'h2' : `[data-entry="${open}"] dt`,
      );
      target?.focus();
      target?.scrollIntoView({ block: 'nearest' });
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="glossary"
      aria-labelledby="glossary-title"
      data-testid="glossary"
      onClose={() => {
        useGlossary.setState({ open: null });
        opener.current?.focus();
      }}
    >
      <div className="glossary-head">
        <h2 id="glossary-title" tabIndex={-1}>
          Glossary
        </h2>
        <button type="button" onClick={() => ref.current?.close()} data-testid="glossary-close">
          Close
        </button>
      </div>
      <dl>
        {(Object.keys(GLOSSARY) as GlossaryId[]).map((id) => (
          <div
            key={id}
            data-entry={id}
            className={open === id ? 'entry current' : 'entry'}
            data-testid={`glossary-${id}`}
          >
            <dt tabIndex={-1}>{GLOSSARY[id].term}</dt>
            <dd>{GLOSSARY[id].body}</dd>
          </div>
        ))}
      </dl>
    </dialog>
  );
}
