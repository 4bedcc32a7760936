import { beforeEach, describe, expect, it } from 'vitest';
import { decodeHash, encodeHash } from './hash';
import { SCHEMA, defaultConfig } from './schema';
import { setGeometryView, setWalkSettings } from './classroomActions';
import { setPreset, setW } from './actions';
import { resetStore, useAppStore } from './store';

describe('classroom fields', () => {
  it('the view: "fit" or centre and span, rounded, bounded, with one clear reason', () => {
    const f = SCHEMA.gview;
    expect(f.decode('fit')).toBeNull();
    expect(f.decode('0.12345,-1,2.5')).toEqual([0.1235, -1, 2.5]);
    expect(f.encode(null)).toBe('fit');
    expect(f.encode([0.5, -1.25, 3])).toBe('0.5,-1.25,3');
    expect(() => f.decode('1,2')).toThrow(/expected "fit" or three numbers/);
    expect(() => f.decode('0,0,0')).toThrow(/the span must lie in \[0.05, 200\]/);
    expect(() => f.decode('5000,0,1')).toThrow(/the centre must lie in/);
    expect(() => f.decode('NaN,0,1')).toThrow(/three numbers/);
  });

  it('presenter mode and the step-through’s settings round-trip through the URL', () => {
    const c = {
      ...defaultConfig(),
      present: true,
      admm: true,
      arho: 0.0005,
      asigma: 3e-8,
      aadapt: false,
    };
    const back = decodeHash(encodeHash(c));
    expect(back.errors).toEqual([]);
    expect(back.config).toEqual(c);
    expect(decodeHash('#arho=0').errors[0]).toMatch(
      /arho=0: expected a number in \[0.0001, 1000\]/,
    );
  });
});

describe('classroom actions', () => {
  beforeEach(() => resetStore());

  it('a zoom goes on the URL’s grid, clamped to the field’s bounds; null fits again', () => {
    setGeometryView([0.123456, 2, 1e-6]);
    expect(useAppStore.getState().config.gview).toEqual([0.1235, 2, SCHEMA.gview.minSpan]);
    setGeometryView([1e9, -1e9, 1e9]);
    expect(useAppStore.getState().config.gview).toEqual([1000, -1000, SCHEMA.gview.maxSpan]);
    setGeometryView([NaN, 0, 1]);
    expect(useAppStore.getState().config.gview).toEqual([1000, -1000, SCHEMA.gview.maxSpan]);
    setGeometryView(null);
    expect(useAppStore.getState().config.gview).toBeNull();
  });

  it('ρ and σ are clamped into range; switching preset resets ŵ, w and the view', () => {
    setWalkSettings({ arho: 1e9, asigma: 0 });
    expect(useAppStore.getState().config.arho).toBe(SCHEMA.arho.max);
    expect(useAppStore.getState().config.asigma).toBe(SCHEMA.asigma.min);
    setW([5, -5]);
    setGeometryView([1, 1, 1]);
    setPreset('simplex');
    const c = useAppStore.getState().config;
    expect(c.what).toEqual([0.8, 0.45]);
    expect(c.w).toEqual([0.2, 0.3]);
    expect(c.gview).toBeNull();
  });
});
