/**
 * The link a viewer shares (copy-link button, presenter's QR code): the current view, with only
 * the settings that differ from the defaults (a short link makes a QR code phones read from the
 * back of a room), and never presenter mode (students open the normal view).
 */
import { CONFIG_KEYS, defaultConfig, SCHEMA, type Config, type FieldBase } from './schema';

function encoded<K extends keyof Config>(config: Config, k: K): string {
  const field = SCHEMA[k] as unknown as FieldBase<Config[K]>;
  return encodeURIComponent(field.encode(config[k])).replace(/%2C/g, ',').replace(/%3B/g, ';');
}

/** Hash text (no '#') of the shared view: the panel, then each non-default setting in schema order. */
export function shareHash(config: Config): string {
  const defaults = defaultConfig();
  const shown: Config = { ...config, present: false };
  return CONFIG_KEYS.filter((k) => k === 'panel' || encoded(shown, k) !== encoded(defaults, k))
    .map((k) => `${k}=${encoded(shown, k)}`)
    .join('&');
}

/** The page's address with the shared view's hash. */
export function shareUrl(config: Config, at: { origin: string; pathname: string; search: string }) {
  return `${at.origin}${at.pathname}${at.search}#${shareHash(config)}`;
}
