import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root folder (dist/cli/ → ../..). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** pipelines/default.json: the bundled corpus, built when `skein build` gets no config. */
export const DEFAULT_PIPELINE = path.join(PACKAGE_ROOT, 'pipelines', 'default.json');

/**
 * The config file `skein build <given>` reads: `given` itself, or, when no such file exists and
 * `given` is a relative path to one of skein's bundled files (`pipelines/pose.json`), that file
 * inside the installed package. The documented commands (`npx skein build pipelines/pose.json`)
 * then run as written in a project that only installed skein; a local file always wins.
 */
export function resolvePipelineFile(given: string): { file: string; bundled: boolean } {
  if (path.isAbsolute(given) || fs.existsSync(given)) return { file: given, bundled: false };
  const inPackage = path.join(PACKAGE_ROOT, given);
  const normal = path.normalize(given);
  const isPipeline = normal.startsWith(`pipelines${path.sep}`) && normal.endsWith('.json') && !normal.includes('..');
  return isPipeline && fs.existsSync(inPackage) ? { file: inPackage, bundled: true } : { file: given, bundled: false };
}
