import { useEffect, useRef } from 'react';
import type { Progress } from '../../../solvers/learn/lab/runner';
import type { TrainingSession } from './session';

/** "~1 min 20 s left". */
export function timeLeft(ms: number): string {
  if (!Number.isFinite(ms)) return 'estimating time left…';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `~${s} s left`;
  const m = Math.floor(s / 60);
  return m < 60 ? `~${m} min ${s % 60} s left` : `~${Math.floor(m / 60)} h ${m % 60} min left`;
}

function describe(p: Progress | null, epochs: number): string {
  if (!p) return 'Not started.';
  const job = p.jobs > 1 ? `run ${p.job + 1} of ${p.jobs} · ` : '';
  if (p.done >= p.total)
    return `${job}done: ${p.done} mini-batches in ${(p.elapsedMs / 1000).toFixed(1)} s`;
  return `${job}epoch ${Math.max(p.epoch, 1)} of ${epochs} · mini-batch ${p.batch} of ${p.batches} · ${timeLeft(p.leftMs)}`;
}

/** The progress bar: written from the channel straight into the DOM (no React state per step). */
export function TrainingProgress({
  session,
  epochs,
}: {
  session: TrainingSession;
  epochs: number;
}) {
  const bar = useRef<HTMLProgressElement>(null);
  const text = useRef<HTMLSpanElement>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const show = (p: Progress | null) => {
      if (!bar.current || !text.current || !box.current) return;
      bar.current.max = Math.max(p?.total ?? 1, 1);
      bar.current.value = p?.done ?? 0;
      text.current.textContent = describe(p, epochs);
      box.current.dataset.done = String(p?.done ?? 0);
      box.current.dataset.total = String(p?.total ?? 0);
    };
    show(session.lastProgress);
    return session.channel.subscribe((e) => {
      if (e.type === 'progress') show(e.progress);
      else if (e.type === 'clear') show(session.lastProgress);
    });
  }, [session, epochs]);
  return (
    <div
      className="training-progress"
      ref={box}
      data-testid="training-progress"
      data-done="0"
      data-total="0"
      aria-live="off"
    >
      <progress ref={bar} max={1} value={0} aria-label="Training progress" />
      <span ref={text} />
    </div>
  );
}
