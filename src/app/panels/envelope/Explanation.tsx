import { Cite } from '../../components/Cite';
import { Term } from '../../components/Glossary';
import { Tex } from '../../components/Tex';

// The formulas, kept out of the JSX so they read as LaTeX (and prettier leaves them alone).
const SETUP = String.raw`x^*(c) = \arg\min_{x\in[0,1]^n} \langle x, c\rangle,\quad \ell(x) = \tfrac12\|x - x_{\text{target}}\|^2,\quad c(t) = c_0 + t\,d.`;
const DIVERGENCE = String.raw`\begin{aligned}
  \tilde\ell(x) &= \ell(\hat x) + \langle x - \hat x, \nabla\ell(\hat x)\rangle, \\
  \mathcal L_\rho(x, c) &= \langle x, c\rangle + \tfrac{\rho}{2}\|x-\hat x\|^2, \\
  D_\rho(x\,|\,c) &= \mathcal L_\rho(x, c) - \min_{x'\in[0,1]^n} \mathcal L_\rho(x', c) \;\ge 0.
\end{aligned}`;
const ENVELOPES = String.raw`\begin{aligned}
  \tilde\ell_\tau(c) &= \min_{x}\ \tilde\ell(x) + \tfrac1\tau D_\rho(x\,|\,c), \\
  \tilde\ell^\tau(c) &= \max_{x}\ \tilde\ell(x) - \tfrac1\tau D_\rho(x\,|\,c).
\end{aligned}`;
const AVERAGE = String.raw`\bar\ell_\tau = \tfrac12(\tilde\ell_\tau + \tilde\ell^\tau)`;
const LPGD = String.raw`\begin{aligned}
  \text{lower: } \nabla\tilde\ell_\tau(\hat c) &= \tfrac1\tau\big[x_\rho(\hat c+\tau\nabla\ell) - \hat x\big], \\
  \text{upper: } \nabla\tilde\ell^\tau(\hat c) &= \tfrac1\tau\big[\hat x - x_\rho(\hat c-\tau\nabla\ell)\big], \\
  \text{average: } \nabla\bar\ell_\tau(\hat c) &= \tfrac1{2\tau}\big[x_\rho(\hat c+\tau\nabla\ell) - x_\rho(\hat c-\tau\nabla\ell)\big].
\end{aligned}`;

/** The definitions behind the plot, typeset, in the order an instructor would present them. */
export function EnvelopeExplanation() {
  return (
    <div className="explain tex-explain">
      <p>
        A linear program over the box, a quadratic loss on its solution, and a line through cost
        space (<Cite paper="lpgd" at="Sec. 4.1" />
        ):
      </p>
      <Tex block>{SETUP}</Tex>
      <p>
        <Tex>{String.raw`t \mapsto \ell(x^*(c(t)))`}</Tex> is piecewise constant: its gradient is 0
        almost everywhere, so gradient descent through the LP cannot learn. LPGD linearizes the loss
        at <Tex>{String.raw`\hat x = x^*(\hat c),\ \hat c = c(t_0)`}</Tex> (
        <Cite paper="lpgd" at="Eq. 5" />) and measures suboptimality with the Lagrangian divergence
        (
        <Cite paper="lpgd" at="Eq. 8" />
        ), augmented by <Term id="rho">ρ</Term> (<Cite paper="lpgd" at="Eq. 28" />
        ):
      </p>
      <Tex block>{DIVERGENCE}</Tex>
      <p>
        The lower and upper Lagrange–Moreau <Term id="envelope">envelopes</Term> (
        <Cite paper="lpgd" at="Eq. 10" />, <Cite paper="lpgd" at="Eq. 12" />
        ); their average is <Tex>{AVERAGE}</Tex> (<Cite paper="lpgd" at="Eq. 15" />
        ):
      </p>
      <Tex block>{ENVELOPES}</Tex>
      <p>
        Because <Tex>{String.raw`\tilde\ell`}</Tex> is linear, each optimum is the forward solver at
        a shifted cost <Tex>{String.raw`c \pm \tau\nabla\ell`}</Tex> (
        <Cite paper="lpgd" at="Eq. 21" />
        ); every point of the curves costs three box QPs, all solved as one batch in the worker.
        Danskin’s theorem (
        <Cite paper="lpgd" at="Eq. 16" />, <Cite paper="lpgd" at="Eq. 22" />) turns the envelope’s
        gradient into LPGD’s update, a finite difference of solutions:
      </p>
      <Tex block>{LPGD}</Tex>
      <p>
        The solid tangents at t₀ use this update projected on d; the dashed ones are the slope of
        the drawn curve itself. They coincide: LPGD is gradient descent on the envelope. As τ → 0
        the envelopes collapse onto the steps (<Cite paper="lpgd" at="Theorem 3.1" />) and the
        update returns to the true, zero gradient; ρ &gt; 0 rounds the corners (the envelopes then
        smooth <Tex>{String.raw`\tilde\ell(x_\rho(c))`}</Tex>, dotted). Always{' '}
        <Tex>{String.raw`\tilde\ell_\tau \le \tilde\ell(x_\rho(c)) \le \tilde\ell^\tau`}</Tex>.
      </p>
    </div>
  );
}
