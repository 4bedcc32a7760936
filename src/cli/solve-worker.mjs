// Entry of the CLI's solve worker thread. Node 20 does not apply the parent's module hooks to a
// worker, so the worker registers tsx itself before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./solve-worker.ts');
