import { useState } from 'react';
import { addHalfPlane, removeHalfPlane, setHalfPlane } from '../../state/actions';
import { decodeHalfPlane, SCHEMA, type HalfPlaneSpec } from '../../state/schema';
import { errorMessage } from '../../../solvers/errors';

const NAMES = ['a₁', 'a₂', 'h'] as const;

/** Editable rows a₁x₁ + a₂x₂ ≤ h of the custom polygon; each edit is checked by the schema's decoder. */
export function ConstraintEditor({ cons }: { cons: HalfPlaneSpec[] }) {
  const field = SCHEMA.cons;
  return (
    <fieldset className="cons-editor" data-testid="constraint-editor">
      <legend>{field.label}</legend>
      <table>
        <thead>
          <tr>
            <th scope="col">row</th>
            {NAMES.map((n) => (
              <th key={n} scope="col">
                {n}
              </th>
            ))}
            <th scope="col">
              <span className="visually-hidden">remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {cons.map((row, i) => (
            <HalfPlaneRow key={i} index={i} row={row} canRemove={cons.length > 1} />
          ))}
        </tbody>
      </table>
      <button
        type="button"
        onClick={addHalfPlane}
        disabled={cons.length >= field.maxRows}
        data-testid="add-halfplane"
      >
        Add a half-plane toward ŵ
      </button>
    </fieldset>
  );
}

function HalfPlaneRow({
  index,
  row,
  canRemove,
}: {
  index: number;
  row: HalfPlaneSpec;
  canRemove: boolean;
}) {
  // Text being typed, with the row it was typed against; dropped once the row changes elsewhere.
  const [draft, setDraft] = useState<{ text: string[]; forRow: HalfPlaneSpec } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = draft !== null && draft.forRow.every((v, k) => v === row[k]);
  const shown = current ? draft.text : row.map(String);
  const edit = (k: number, text: string) => {
    const next = shown.map((t, j) => (j === k ? text : t));
    try {
      const parsed = decodeHalfPlane(next.join(','), SCHEMA.cons.decimals, SCHEMA.cons.bound);
      setDraft({ text: next, forRow: parsed });
      setError(null);
      setHalfPlane(index, parsed);
    } catch (e) {
      setDraft({ text: next, forRow: row });
      setError(errorMessage(e));
    }
  };
  return (
    <>
      <tr>
        <td>{index + 1}</td>
        {NAMES.map((n, k) => (
          <td key={n}>
            <input
              type="number"
              step={0.1}
              value={shown[k]}
              aria-label={`${n} of half-plane ${index + 1}`}
              aria-invalid={current && error !== null}
              data-testid={`halfplane-${index}-${k}`}
              onChange={(e) => edit(k, e.target.value)}
              onBlur={() => setDraft(null)}
            />
          </td>
        ))}
        <td>
          <button
            type="button"
            onClick={() => removeHalfPlane(index)}
            disabled={!canRemove}
            aria-label={`Remove half-plane ${index + 1}`}
            data-testid={`remove-halfplane-${index}`}
          >
            ×
          </button>
        </td>
      </tr>
      {current && error && (
        <tr>
          <td colSpan={5} className="field-error" role="alert">
            {error}
          </td>
        </tr>
      )}
    </>
  );
}
