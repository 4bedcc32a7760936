/**
 * Registers the offline service worker (src/offline/sw.ts) in the built app. Its URL is relative,
 * so it works from any sub-path: its scope is the folder the app is served from. In development
 * there is none (Vite serves modules that change on every edit).
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('./sw.js').catch(() => {
      // Without it the app still works online; offline it cannot (a private window, file://).
    });
  });
}
