import { useEffect } from 'react';
import { applyHash } from './actions';
import { encodeHash } from './schema';
import { useAppStore } from './store';

/**
 * Keeps the URL hash and the configuration in step: the hash is read once at start and on
 * `hashchange` (edited URL, back button); every config change rewrites it with replaceState,
 * so dragging does not push hundreds of history entries.
 */
export function useHashSync(): void {
  useEffect(() => {
    applyHash(window.location.hash);
    const write = () => {
      const hash = '#' + encodeHash(useAppStore.getState().config);
      if (hash !== window.location.hash) history.replaceState(null, '', hash);
    };
    write();
    const unsubscribe = useAppStore.subscribe((s, prev) => {
      if (s.config !== prev.config) write();
    });
    const onHashChange = () => applyHash(window.location.hash);
    window.addEventListener('hashchange', onHashChange);
    return () => {
      unsubscribe();
      window.removeEventListener('hashchange', onHashChange);
    };
  }, []);
}
