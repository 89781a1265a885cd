import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root folder (dist/cli/ → ../..). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** pipelines/default.json: the bundled corpus, built when `skein build` gets no config. */
export const DEFAULT_PIPELINE = path.join(PACKAGE_ROOT, 'pipelines', 'default.json');
