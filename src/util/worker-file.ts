import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The URL of a compiled worker-thread module, `<folder>/<name>.js`, for the module at `self`
 * (its `import.meta.url`) in the same folder. Compiled (`dist/`, the CLI), the worker sits beside
 * `self`. Run from source under tsx (`node --import tsx`, the tests), `self` ends in `.ts` and the
 * worker is taken from `dist/<folder>/` (run `npm run build` first; `npm test` does): Node 20 does
 * not apply the parent's module hooks (tsx) to worker threads, measured: a `.ts` worker fails with
 * ERR_UNKNOWN_FILE_EXTENSION even with `--import tsx` in its `execArgv`. `what` names the worker
 * in the error thrown when the compiled file is missing.
 */
export function compiledWorkerUrl(self: string, folder: string, name: string, what: string): string {
  if (!self.endsWith('.ts')) return new URL(`./${name}.js`, self).href;
  const compiled = new URL(`../../dist/${folder}/${name}.js`, self);
  if (!fs.existsSync(compiled)) throw new Error(`${what} needs the compiled worker ${fileURLToPath(compiled)}: run npm run build`);
  return compiled.href;
}
