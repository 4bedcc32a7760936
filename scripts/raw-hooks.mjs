// Module hooks behind raw-loader.mjs: `import text from './x.wgsl?raw'` gives the file's text.
import { readFile } from 'node:fs/promises';

export async function resolve(specifier, context, next) {
  if (specifier.endsWith('?raw') && context.parentURL) {
    return {
      url: new URL(specifier, context.parentURL).href,
      format: 'module',
      shortCircuit: true,
    };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  const u = new URL(url);
  if (u.protocol === 'file:' && u.search === '?raw') {
    u.search = '';
    const text = await readFile(u, 'utf8');
    return {
      format: 'module',
      source: `export default ${JSON.stringify(text)};`,
      shortCircuit: true,
    };
  }
  return next(url, context);
}
