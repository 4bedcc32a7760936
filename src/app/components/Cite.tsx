/**
 * Citations as links: the paper's arXiv abstract page, with the paper and the section, equation,
 * figure or table named in the link text ("You Shall Pass, Lemma 3.7"). Numbers follow the papers'
 * texts kept in shared/papers.
 */
export const PAPERS = {
  ysp: {
    short: 'You Shall Pass',
    title:
      'Veviurko, Böhmer & de Weerdt: You Shall Pass: Dealing with the Zero-Gradient Problem in Predict and Optimize for Convex Optimization',
    arxiv: '2307.16304',
  },
  lpgd: {
    short: 'LPGD',
    title: 'Paulus, Musil & Martius: Lagrangian Proximal Gradient Descent (LPGD)',
    arxiv: '2407.05920',
  },
  bpqp: {
    short: 'BPQP',
    title:
      'Pan, Ye, Yang et al.: BPQP: A Differentiable Convex Optimization Framework for Efficient End-to-End Learning',
    arxiv: '2411.19285',
  },
  osqp: {
    short: 'OSQP',
    title:
      'Stellato, Banjac, Goulart, Bemporad & Boyd: OSQP: an operator splitting solver for quadratic programs',
    arxiv: '1711.08013',
  },
} as const;

export type PaperId = keyof typeof PAPERS;

export const arxivUrl = (paper: PaperId) => `https://arxiv.org/abs/${PAPERS[paper].arxiv}`;

/** A link to a place in a paper; `at` is the section, equation, figure or table ("Eq. 22"). */
export function Cite({ paper, at }: { paper: PaperId; at: string }) {
  const p = PAPERS[paper];
  return (
    <a
      className="cite"
      href={arxivUrl(paper)}
      target="_blank"
      rel="noopener noreferrer"
      title={`${p.title} (arXiv:${p.arxiv}), ${at}`}
      data-cite={paper}
    >
      {p.short}, {at}
    </a>
  );
}
