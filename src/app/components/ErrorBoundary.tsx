import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** What failed, for the message ("the app", "the Geometry panel"). */
  what?: string;
}

/** The page's address without its hash: the app opens there with the default view. */
export function urlWithoutHash(href: string): string {
  const i = href.indexOf('#');
  return i < 0 ? href : href.slice(0, i);
}

/**
 * Reloads without the settings in the URL hash. A plain reload keeps the hash, and when the
 * settings are what broke the page it fails the same way again.
 */
export function reloadWithDefaultView(
  location: Pick<Location, 'href' | 'reload'> = window.location,
  history: Pick<History, 'replaceState'> = window.history,
): void {
  // Not `location.hash = ''`: that leaves a bare '#' and does not reload.
  history.replaceState(null, '', urlWithoutHash(location.href));
  location.reload();
}

/** Shows what failed and two ways out (reload as is, or with the default view) instead of a blank page. */
export class ErrorBoundary extends Component<Props, { error: unknown }> {
  state = { error: null as unknown };

  static getDerivedStateFromError(error: unknown) {
    return { error: error ?? new Error('unknown error') };
  }

  componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error(`Error in ${this.props.what ?? 'the app'}:`, error, info.componentStack);
  }

  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    const what = this.props.what ?? 'the app';
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return (
      <div className="error-box" role="alert" data-testid="error-boundary">
        <h2>Something went wrong in {what}.</h2>
        <p>
          A programming error stopped {what} from being drawn, so this message is shown in its
          place. The view's settings are kept in the page's address: if they caused it, a plain
          reload will stop here again, while reloading with the default view starts afresh (the
          settings are then lost).
        </p>
        <p>
          <button
            type="button"
            data-testid="reload-default"
            onClick={() => reloadWithDefaultView()}
          >
            Reload with the default view
          </button>{' '}
          <button type="button" data-testid="reload" onClick={() => window.location.reload()}>
            Reload
          </button>
        </p>
        <details>
          <summary>Error details</summary>
          <pre>{message}</pre>
        </details>
      </div>
    );
  }
}
