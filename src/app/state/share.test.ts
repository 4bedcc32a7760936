import { describe, expect, it } from 'vitest';
import { decodeHash, encodeHash } from './hash';
import { defaultConfig, type Config } from './schema';
import { shareHash, shareUrl } from './share';

describe('the shared link', () => {
  it('reproduces the view without presenter mode, and lists only what differs', () => {
    const c: Config = {
      ...defaultConfig(),
      panel: 'envelopes',
      what: [0.25, 1.6],
      present: true,
      gview: [0, 0.5, 3.25],
      arho: 2,
      grads: ['kkt'],
    };
    const h = shareHash(c);
    expect(h).toBe('panel=envelopes&what=0.25,1.6&grads=kkt&gview=0,0.5,3.25&arho=2');
    const back = decodeHash(h);
    expect(back.errors).toEqual([]);
    expect(encodeHash(back.config)).toBe(encodeHash({ ...c, present: false }));
  });

  it('always names the panel, and the default view is just that', () => {
    expect(shareHash(defaultConfig())).toBe('panel=geometry');
    expect(
      shareUrl(defaultConfig(), { origin: 'https://x.org', pathname: '/a/b/', search: '' }),
    ).toBe('https://x.org/a/b/#panel=geometry');
  });

  it('keeps an emptied list (grads=) since it differs from the default', () => {
    const c = { ...defaultConfig(), grads: [] };
    expect(shareHash(c)).toBe('panel=geometry&grads=');
    expect(decodeHash(shareHash(c)).config.grads).toEqual([]);
  });
});
