/**
 * The ErrorBoundary's fallback and its way out. No hash reaches it in the browser any more (the
 * decoder never throws; tests/browser/hash.mjs checks that), and the browser test may not plant a
 * crash through a test hook, so its logic is checked here, in Node, without a DOM.
 */
import { isValidElement, type ReactElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorBoundary, reloadWithDefaultView, urlWithoutHash } from './ErrorBoundary';

/** The fallback the boundary renders after `error` was thrown below it. */
function fallback(error: unknown, what?: string): ReactElement {
  const boundary = new ErrorBoundary({ children: 'the app', what });
  boundary.state = ErrorBoundary.getDerivedStateFromError(error);
  const out = boundary.render();
  if (!isValidElement(out)) throw new Error('the boundary rendered no element');
  return out;
}

/** The buttons of a rendered element tree, by label. */
function buttons(node: ReactNode, found = new Map<string, () => void>()) {
  if (!isValidElement(node)) return found;
  const props = node.props as { children?: ReactNode; onClick?: () => void };
  if (node.type === 'button' && props.onClick) found.set(String(props.children), props.onClick);
  for (const child of [props.children].flat()) buttons(child as ReactNode, found);
  return found;
}

afterEach(() => vi.unstubAllGlobals());

describe('ErrorBoundary', () => {
  it('renders its children until something throws', () => {
    const b = new ErrorBoundary({ children: 'the app' });
    expect(b.render()).toBe('the app');
  });

  it('says in plain words what happened, with the error and two ways out', () => {
    const html = renderToStaticMarkup(
      fallback(new URIError('URI malformed'), 'the Geometry panel'),
    );
    expect(html).toContain('Something went wrong in the Geometry panel.');
    expect(html).toContain('if they caused it, a plain reload will stop here again');
    expect(html).toContain('URIError: URI malformed');
    expect(html).toContain('Reload with the default view');
    expect(html).toMatch(/>Reload<\/button>/);
    // Not an Error at all (`throw 'text'`, `throw null`): still a message, not a blank page.
    expect(renderToStaticMarkup(fallback('plain text'))).toContain('plain text');
    expect(renderToStaticMarkup(fallback(null))).toContain('Something went wrong in the app.');
  });

  it('"Reload with the default view" drops the hash, then reloads; "Reload" keeps it', () => {
    const href = 'http://127.0.0.1:4173/some/sub-path/?q=1#%E0%A4%A=1&what=0.5,0.5';
    const calls: string[] = [];
    const location = { href, reload: () => calls.push(`reload ${location.href}`) };
    const history = {
      replaceState: (_: unknown, __: string, url?: string | URL | null) => {
        location.href = String(url);
        calls.push(`replaceState ${url}`);
      },
    };
    vi.stubGlobal('window', { location, history });
    const b = buttons(fallback(new Error('boom')));
    expect([...b.keys()]).toEqual(['Reload with the default view', 'Reload']);
    b.get('Reload with the default view')!();
    expect(calls).toEqual([
      'replaceState http://127.0.0.1:4173/some/sub-path/?q=1',
      'reload http://127.0.0.1:4173/some/sub-path/?q=1',
    ]);
    calls.length = 0;
    location.href = href;
    b.get('Reload')!();
    expect(calls).toEqual([`reload ${href}`]);
  });

  it('urlWithoutHash keeps path and query, drops everything from the first #', () => {
    expect(urlWithoutHash('http://h/p/?a=1#x#y')).toBe('http://h/p/?a=1');
    expect(urlWithoutHash('http://h/p/')).toBe('http://h/p/');
    expect(urlWithoutHash('http://h/p/#')).toBe('http://h/p/');
    const calls: string[] = [];
    reloadWithDefaultView(
      { href: 'http://h/#a', reload: () => calls.push('reload') },
      { replaceState: (_d, _t, url) => calls.push(String(url)) },
    );
    expect(calls).toEqual(['http://h/', 'reload']);
  });
});
