// Node loader for Vite-style `?raw` imports (WGSL kernels) under tsx:
//   tsx --import ./scripts/raw-loader.mjs scripts/bench.ts
import { register } from 'node:module';

register('./raw-hooks.mjs', import.meta.url);
