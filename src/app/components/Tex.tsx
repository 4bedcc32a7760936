/**
 * Typeset math with KaTeX, for the explanations beside each panel. The formulas are the app's own
 * strings, never user input; a formula KaTeX rejects is shown as its source with the error, so a
 * typo is visible rather than silently dropped.
 */
import katex from 'katex';
import 'katex/dist/katex.min.css';
import { useMemo } from 'react';
import { errorMessage } from '../../solvers/errors';

export function Tex({ children, block = false }: { children: string; block?: boolean }) {
  const rendered = useMemo(() => {
    try {
      return {
        html: katex.renderToString(children, {
          displayMode: block,
          throwOnError: true,
          // The MathML copy is what screen readers read; KaTeX's CSS hides it from view.
          output: 'htmlAndMathml',
        }),
      };
    } catch (e) {
      return { error: errorMessage(e) };
    }
  }, [children, block]);
  if ('error' in rendered) {
    return (
      <code className="tex-error" title={rendered.error} data-testid="tex-error">
        {children}
      </code>
    );
  }
  if (block)
    return (
      // A displayed formula may be wider than a phone: it scrolls sideways, so it takes focus to
      // let a keyboard scroll it too.
      <div
        className="tex tex-block"
        tabIndex={0}
        role="group"
        aria-label="formula"
        // KaTeX's own markup for a formula written in this codebase.
        dangerouslySetInnerHTML={{ __html: rendered.html }}
      />
    );
  return (
    <span
      className="tex"
      // KaTeX's own markup for a formula written in this codebase.
      dangerouslySetInnerHTML={{ __html: rendered.html }}
    />
  );
}
