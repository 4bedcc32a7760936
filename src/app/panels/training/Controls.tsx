import { useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/store';
import { SCHEMA } from '../../state/schema';
import { EnumSelect } from '../../components/SchemaControls';
import { errorMessage } from '../../../solvers/errors';
import { LINEAR_PROBLEMS } from '../../../solvers/learn/lab/experiments';
import { METHOD_INFO } from '../../../solvers/learn/lab/methods';
import { setExperiment, setTrainingField, toggleMethod, toggleProblem } from './actions';
import { methodAvailability } from './settings';
import { methodColor } from './Charts';

type NumberKey = Parameters<typeof setTrainingField>[0];

/** A number input bound to a schema field; a value is committed only when it parses. */
function NumberField({ name, label, step }: { name: NumberKey; label: string; step?: number }) {
  const id = useId();
  const value = useAppStore((s) => s.config[name]);
  const [draft, setDraft] = useState<{ text: string; error: string | null } | null>(null);
  return (
    <div className="control">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        step={step ?? 1}
        value={draft?.text ?? String(value)}
        data-testid={`control-${name}`}
        aria-invalid={!!draft?.error}
        onChange={(e) => {
          const text = e.target.value;
          try {
            setTrainingField(name, text);
            setDraft({ text, error: null });
          } catch (err) {
            setDraft({ text, error: errorMessage(err) });
          }
        }}
        onBlur={() => setDraft(null)}
      />
      {draft?.error && (
        <p className="field-error" role="alert">
          {draft.error}
        </p>
      )}
    </div>
  );
}

/** Everything a run is made of: experiment, data, methods, seeds, optimization. All in the URL. */
export function TrainingControls({ locked }: { locked: boolean }) {
  const c = useAppStore(
    useShallow((s) => ({
      seed: s.config.seed,
      texp: s.config.texp,
      tsize: s.config.tsize,
      tsamples: s.config.tsamples,
      tlambda: s.config.tlambda,
      tmethods: s.config.tmethods,
      tprobs: s.config.tprobs,
      tseeds: s.config.tseeds,
      tepochs: s.config.tepochs,
      tbatch: s.config.tbatch,
      tlr: s.config.tlr,
      tsample: s.config.tsample,
    })),
  );
  const avail = methodAvailability(c);
  const sizeLabel =
    c.texp === 'linear'
      ? 'Size (items, nodes, assets)'
      : c.texp === 'portfolio'
        ? 'Assets'
        : 'Assets';
  return (
    <fieldset className="training-controls" disabled={locked} data-testid="training-controls">
      <legend className="visually-hidden">Settings</legend>
      <EnumSelect field={SCHEMA.texp} value={c.texp} onChange={setExperiment} />
      <div className="training-row">
        <NumberField name="tsize" label={sizeLabel} />
        <NumberField name="tsamples" label="Samples" />
        {c.texp === 'portfolio' && (
          <EnumSelect
            field={SCHEMA.tlambda}
            value={c.tlambda}
            onChange={(v) => setTrainingField('tlambda', v)}
          />
        )}
      </div>
      {c.texp === 'linear' && (
        <fieldset className="training-checks">
          <legend>Problems</legend>
          {LINEAR_PROBLEMS.map((p) => (
            <label key={p}>
              <input
                type="checkbox"
                data-testid={`training-problem-${p}`}
                checked={c.tprobs.includes(p)}
                onChange={() => toggleProblem(p)}
              />{' '}
              {p}
            </label>
          ))}
        </fieldset>
      )}
      <fieldset className="training-checks training-methods">
        <legend>Methods</legend>
        {avail.map((a) => {
          const info = METHOD_INFO[a.method];
          const why = a.notOn.map((n) =>
            a.disabled ? n.reason : `not on ${n.problem}: ${n.reason}`,
          );
          const brief = a.notOn[0]?.brief ?? '';
          return (
            <label
              key={a.method}
              className={a.disabled ? 'method-off' : ''}
              title={`${info.blurb}${why.length ? `\n\n${why[0]}` : ''}`}
            >
              <input
                type="checkbox"
                data-testid={`training-method-${a.method}`}
                checked={c.tmethods.includes(a.method)}
                disabled={a.disabled}
                onChange={() => toggleMethod(a.method)}
              />{' '}
              <span className="sw" style={{ background: methodColor(a.method) }} /> {info.label}
              {a.disabled ? (
                <span className="method-why" data-testid={`training-why-${a.method}`}>
                  {' '}
                  — {brief}
                </span>
              ) : a.notOn.length > 0 ? (
                <span className="method-why">
                  {' '}
                  (not on {a.notOn.map((n) => n.problem).join(', ')})
                </span>
              ) : null}
            </label>
          );
        })}
      </fieldset>
      <div className="training-row">
        <NumberField name="seed" label="Seed" />
        <NumberField name="tseeds" label="Seeds" />
        <NumberField name="tepochs" label="Epochs" />
      </div>
      <div className="training-row">
        <NumberField name="tbatch" label="Batch size" />
        <NumberField name="tlr" label="Learning rate" step={0.0001} />
        <NumberField name="tsample" label="Tracked test sample" />
      </div>
    </fieldset>
  );
}
