import { useEffect } from 'react';
import { applyHash } from './actions';
import { encodeHash } from './hash';
import { useAppStore } from './store';

/**
 * Browsers throttle history updates (Chromium: ~200 per 10 s, then it drops them), and a drag
 * changes ŵ at 60 Hz, so hash writes are spaced by at least this much, the last one always made.
 */
const MIN_WRITE_INTERVAL_MS = 150;

/**
 * Keeps the URL hash and the configuration in step: the hash is read at start and on
 * `hashchange` (edited URL, back button); config changes rewrite it with replaceState, so a drag
 * does not push hundreds of history entries.
 *
 * The URL someone typed always wins over a write still pending from the old state: every write
 * first checks that the hash is still the one this hook last wrote or read, and if it is not (an
 * edit whose `hashchange` has not been delivered yet, or a reload right after the edit), it reads
 * the new hash instead of overwriting it.
 *
 * A hash that was read is rewritten at once to the config it gave: parts that were ignored (a bad
 * value, an unknown name) leave the URL, so the URL never claims settings the view does not show.
 * The URL notice says so (Notices.tsx).
 */
export function useHashSync(): void {
  useEffect(() => {
    let known = window.location.hash;
    let lastWrite = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const writeNow = () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      lastWrite = performance.now();
      const hash = '#' + encodeHash(useAppStore.getState().config);
      try {
        if (hash !== window.location.hash) history.replaceState(null, '', hash);
      } catch {
        // Safari throws when history writes come too fast; the next change writes again.
      }
      known = window.location.hash;
    };
    const adoptExternalEdit = (): boolean => {
      if (window.location.hash === known) return false;
      known = window.location.hash;
      applyHash(known);
      writeNow();
      return true;
    };
    const write = () => {
      timer = null;
      if (!adoptExternalEdit()) writeNow();
    };
    const schedule = () => {
      if (timer !== null) return;
      const wait = lastWrite + MIN_WRITE_INTERVAL_MS - performance.now();
      if (wait <= 0) write();
      else timer = setTimeout(write, wait);
    };
    applyHash(known);
    writeNow();
    const unsubscribe = useAppStore.subscribe((s, prev) => {
      if (s.config !== prev.config) schedule();
    });
    const onHashChange = () => {
      adoptExternalEdit();
    };
    // Leaving the page must not lose a pending write (a reload right after a drag).
    const flush = () => {
      if (timer === null) return;
      clearTimeout(timer);
      write();
    };
    window.addEventListener('hashchange', onHashChange);
    window.addEventListener('pagehide', flush);
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
      window.removeEventListener('hashchange', onHashChange);
      window.removeEventListener('pagehide', flush);
    };
  }, []);
}
