/**
 * Seconds between plain progress lines when stderr is not a terminal (CI logs, pipes): `given`
 * when a caller sets it, else `SKEIN_PROGRESS_SECONDS` (a positive number; e.g. 60 for quieter
 * CI logs, 0.1 to see every step), else 10.
 */
export function logLineSeconds(given?: number, env: NodeJS.ProcessEnv = process.env): number {
  if (given !== undefined) return given;
  const v = Number(env.SKEIN_PROGRESS_SECONDS);
  return env.SKEIN_PROGRESS_SECONDS !== undefined && env.SKEIN_PROGRESS_SECONDS !== '' && Number.isFinite(v) && v > 0 ? v : 10;
}
