/**
 * Controls generated from schema fields: the label, the choices and the parsing come from
 * the schema, so a control can never accept what the URL could not encode.
 */
import { useId, useState } from 'react';
import type { EnumField, IntField, VecField } from '../state/schema';
import { errorMessage } from '../../solvers/errors';

export function EnumSelect<V extends string>({
  field,
  value,
  onChange,
}: {
  field: EnumField<V>;
  value: V;
  onChange(v: V): void;
}) {
  const id = useId();
  return (
    <div className="control">
      <label htmlFor={id}>{field.label}</label>
      <select
        id={id}
        value={value}
        data-testid={`control-${field.name}`}
        onChange={(e) => onChange(field.decode(e.target.value))}
      >
        {field.values.map((v) => (
          <option key={v} value={v}>
            {field.valueLabels[v]}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Two numeric inputs; a typed value is committed only when it parses, otherwise the field shows why. */
export function Vec2Input({
  field,
  value,
  names,
  onChange,
}: {
  field: VecField;
  value: [number, number];
  names: [string, string];
  onChange(v: [number, number]): void;
}) {
  const id = useId();
  // Text being typed, remembered with the value it shows; once ŵ moves by other means it is dropped.
  const [draft, setDraft] = useState<{ text: [string, string]; forValue: [number, number] } | null>(
    null,
  );
  const [error, setError] = useState<string | null>(null);
  const current =
    draft !== null && draft.forValue[0] === value[0] && draft.forValue[1] === value[1];
  const shown: [string, string] = current ? draft.text : [String(value[0]), String(value[1])];
  const edit = (i: 0 | 1, text: string) => {
    const next: [string, string] = [...shown];
    next[i] = text;
    try {
      const v = field.decode(next.join(','));
      setDraft({ text: next, forValue: v });
      setError(null);
      onChange(v);
    } catch (e) {
      setDraft({ text: next, forValue: value });
      setError(errorMessage(e));
    }
  };
  return (
    <fieldset className="control vec2">
      <legend>{field.label}</legend>
      {([0, 1] as const).map((i) => (
        <span key={i} className="vec2-part">
          <label htmlFor={`${id}-${i}`}>{names[i]}</label>
          <input
            id={`${id}-${i}`}
            type="number"
            step={0.05}
            value={shown[i]}
            data-testid={`control-${field.name}-${i}`}
            aria-invalid={current && error !== null}
            onChange={(e) => edit(i, e.target.value)}
            onBlur={() => {
              setDraft(null);
              setError(null);
            }}
          />
        </span>
      ))}
      {current && error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/**
 * A typeable integer (the seed): committed when it parses and lies in range, otherwise the field
 * says why and the value in use stays.
 */
export function IntInput({
  field,
  value,
  onChange,
}: {
  field: IntField;
  value: number;
  onChange(v: number): void;
}) {
  const id = useId();
  const [draft, setDraft] = useState<{ text: string; forValue: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = draft !== null && draft.forValue === value;
  const shown = current ? draft.text : String(value);
  const edit = (text: string) => {
    try {
      const v = field.decode(text.trim());
      setDraft({ text, forValue: v });
      setError(null);
      onChange(v);
    } catch (e) {
      setDraft({ text, forValue: value });
      setError(errorMessage(e));
    }
  };
  return (
    <div className="control int-input">
      <label htmlFor={id}>{field.label}</label>
      <input
        id={id}
        type="text"
        inputMode="numeric"
        value={shown}
        data-testid={`control-${field.name}`}
        aria-invalid={current && error !== null}
        aria-describedby={current && error ? `${id}-error` : undefined}
        onChange={(e) => edit(e.target.value)}
        onBlur={() => {
          setDraft(null);
          setError(null);
        }}
      />
      {current && error && (
        <p className="field-error" role="alert" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
