import os from 'node:os';
import path from 'node:path';

/**
 * skein's per-user folder, for things that must outlive a project's `node_modules` (npm ci
 * deletes packages it did not install): `$SKEIN_HOME` when set, else `$XDG_CACHE_HOME/skein`,
 * else `~/.cache/skein`.
 */
export function skeinHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SKEIN_HOME) return path.resolve(env.SKEIN_HOME);
  const cache = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache');
  return path.join(cache, 'skein');
}
