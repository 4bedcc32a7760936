/**
 * A range input for a float schema field, on a linear or logarithmic scale, with its value shown
 * beside it. The field's decoder is the only way a value gets in, so the slider can never set
 * what the URL could not encode.
 */
import { useId } from 'react';
import type { FloatField } from '../state/schema';

const STEPS = 400;

export function Slider({
  field,
  value,
  onChange,
  format = (v) => String(v),
}: {
  field: FloatField;
  value: number;
  onChange(v: number): void;
  format?: (v: number) => string;
}) {
  const id = useId();
  const { min, max, log } = field;
  // Position on [0, STEPS]; a log field needs min > 0 (the schema guarantees it).
  const toPos = (v: number) =>
    log ? (STEPS * Math.log(v / min)) / Math.log(max / min) : (STEPS * (v - min)) / (max - min);
  const fromPos = (p: number) =>
    log ? min * (max / min) ** (p / STEPS) : min + ((max - min) * p) / STEPS;
  return (
    <div className="control slider">
      <label htmlFor={id}>
        {field.label} <output className="slider-value">{format(value)}</output>
      </label>
      <input
        id={id}
        type="range"
        min={0}
        max={STEPS}
        step={1}
        value={Math.round(toPos(value))}
        data-testid={`control-${field.name}`}
        aria-valuetext={format(value)}
        onChange={(e) => onChange(field.decode(String(fromPos(Number(e.target.value)))))}
      />
    </div>
  );
}
