import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The Hub's address: `HF_ENDPOINT` (a mirror, a local test server), else https://huggingface.co; no trailing slash. */
export function hfEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return (env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
}

/** `HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface` (as `huggingface_hub` decides it). */
export function hfHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HOME) return env.HF_HOME;
  const cache = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'huggingface');
}

/**
 * The Hub token, looked up as `huggingface_hub` does: `HF_TOKEN` (or the older
 * `HUGGING_FACE_HUB_TOKEN`), else the file `huggingface-cli login` writes (`HF_TOKEN_PATH`, else
 * `$HF_HOME/token`). Undefined when there is none (public datasets need none).
 */
export function hfToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const direct = env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN;
  if (direct) return direct.trim();
  try {
    const text = fs.readFileSync(env.HF_TOKEN_PATH || path.join(hfHome(env), 'token'), 'utf8').trim();
    return text || undefined;
  } catch {
    return undefined;
  }
}

/** Request headers for the Hub: the token as a bearer, when there is one. */
export function hfHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const token = hfToken(env);
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** A repository path with each segment URL-encoded (`/` kept). */
export function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

/** The URL of a file's bytes on the Hub (`resolve`; the Hub redirects large files to its CDN). */
export function hfResolveUrl(endpoint: string, repoType: 'datasets' | 'models', repo: string, revision: string, file: string): string {
  const prefix = repoType === 'models' ? '' : `/${repoType}`;
  return `${endpoint}${prefix}/${repo}/resolve/${encodeURIComponent(revision)}/${encodePath(file)}`;
}
