/**
 * The listener channel of the training telemetry (STYLE.md: per-iteration data never goes through
 * React state; xyflow's connection listeners). The session emits every record as it arrives; the
 * charts and the progress bar subscribe in an effect and draw imperatively.
 */
import type { LabMethod } from '../../../solvers/learn/lab/methods';
import type { EpochRecord } from '../../../solvers/learn/lab/records';
import type { JobInfo, Progress } from '../../../solvers/learn/lab/runner';

export type ChannelEvent =
  | { type: 'job'; info: JobInfo }
  | { type: 'epoch'; job: number; method: LabMethod; record: EpochRecord }
  | { type: 'progress'; progress: Progress }
  /** Everything drawn so far is gone (Reset, or records dropped before a resume): redraw. */
  | { type: 'clear' };

export type ChannelListener = (e: ChannelEvent) => void;

export class TrainingChannel {
  private readonly listeners = new Set<ChannelListener>();

  /** Adds a listener; returns its removal (for an effect's cleanup). */
  subscribe(listener: ChannelListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  emit(e: ChannelEvent): void {
    for (const l of this.listeners) l(e);
  }
}
