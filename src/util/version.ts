import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** skein's own version, from its package.json (recorded in manifests and engine names). */
export const SKEIN_VERSION: string = (require('../../package.json') as { version: string }).version;
