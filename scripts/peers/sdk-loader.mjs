// Module hooks that let Node run NICE's SDK, which is written for a bundler:
// - resolve: extension-less imports ("./x") try "./x.js", then "./x/index.js";
// - load: the SDK's .js files hold ES modules without "type": "module" in their package.json
//   (and a few CommonJS files): each is loaded as what its source is, as a bundler would.
// Used with node --experimental-loader (tested with Node 20).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (e.code !== 'ERR_MODULE_NOT_FOUND' && e.code !== 'ERR_UNSUPPORTED_DIR_IMPORT') throw e;
    for (const suffix of ['.js', '/index.js']) {
      try {
        return await next(specifier + suffix, context);
      } catch {
        // try the next form
      }
    }
    throw e;
  }
}

const esm = /^\s*(import|export)\b/m;

export async function load(url, context, next) {
  if (url.startsWith('file:') && url.endsWith('.js') && url.includes('/node_modules/')) {
    const source = await readFile(fileURLToPath(url), 'utf8');
    if (esm.test(source)) {
      return { format: 'module', source, shortCircuit: true };
    }
  }
  return next(url, context);
}
