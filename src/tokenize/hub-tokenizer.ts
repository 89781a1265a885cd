import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { hfEndpoint, hfHeaders, hfHome, hfResolveUrl } from '../sources/remote/hf-endpoint.js';
import { requestWithRetry } from '../sources/remote/http-request.js';
import { retryPolicyFromEnv, type RetryPolicy } from '../sources/remote/retry-policy.js';
import { UserError } from '../util/errors.js';

/** A tokenizer found in (or downloaded into) the Hugging Face cache. */
export interface HubTokenizer {
  /** `owner/name`. */
  id: string;
  /** The snapshot's commit. */
  commit: string;
  file: string;
  configFile?: string;
  /** Whether it was downloaded now (false: it was in the cache). */
  downloaded: boolean;
}

/** Files a tokenizer needs from a model repository (the config is optional). */
const FILES = ['tokenizer.json', 'tokenizer_config.json'] as const;

/** Whether a tokenizer name is a Hub model id: `owner/name`, with an optional `@revision`. */
export function isHubModelId(name: string): boolean {
  return /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*(@[\w./-]+)?$/.test(name) && !name.endsWith('.json');
}

/** The cache folder of Hub downloads: `HF_HUB_CACHE` (or the older `HUGGINGFACE_HUB_CACHE`), else `$HF_HOME/hub`. */
export function hfHubCache(env: NodeJS.ProcessEnv = process.env): string {
  return env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || path.join(hfHome(env), 'hub');
}

function splitId(name: string): { id: string; revision: string } {
  const at = name.indexOf('@');
  return at < 0 ? { id: name, revision: 'main' } : { id: name.slice(0, at), revision: name.slice(at + 1) };
}

/** `models--owner--name`: a model repository's folder in the cache (the layout `huggingface_hub` writes). */
function repoFolder(cache: string, id: string): string {
  return path.join(cache, `models--${id.replace(/\//g, '--')}`);
}

/**
 * Looks a Hub model's tokenizer up in the local Hugging Face cache, as `huggingface_hub` lays it
 * out (`models--owner--name/refs/<revision>` holds the commit, `snapshots/<commit>/` the files),
 * without any network access. Undefined when the snapshot has no tokenizer.json.
 */
export function cachedHubTokenizer(name: string, env: NodeJS.ProcessEnv = process.env): HubTokenizer | undefined {
  const { id, revision } = splitId(name);
  const repo = repoFolder(hfHubCache(env), id);
  let commit = /^[0-9a-f]{40}$/.test(revision) ? revision : undefined;
  if (!commit) {
    try {
      commit = fs.readFileSync(path.join(repo, 'refs', revision), 'utf8').trim();
    } catch {
      return undefined;
    }
  }
  const dir = path.join(repo, 'snapshots', commit);
  const file = path.join(dir, 'tokenizer.json');
  if (!fs.existsSync(file)) return undefined;
  const cfg = path.join(dir, 'tokenizer_config.json');
  return { id, commit, file, ...(fs.existsSync(cfg) ? { configFile: cfg } : {}), downloaded: false };
}

/**
 * A Hub model's tokenizer: from the local cache when it is there; otherwise tokenizer.json and
 * tokenizer_config.json are downloaded through `HF_ENDPOINT` (with `HF_TOKEN` for gated models)
 * into the cache, in the same layout `huggingface_hub` writes, so that both reuse them. With
 * `HF_HUB_OFFLINE=1` nothing is downloaded. A {@link UserError} names the fix when the tokenizer
 * can be had neither way.
 */
export async function resolveHubTokenizer(name: string, env: NodeJS.ProcessEnv = process.env): Promise<HubTokenizer> {
  const cached = cachedHubTokenizer(name, env);
  if (cached) return cached;
  const { id, revision } = splitId(name);
  const cache = hfHubCache(env);
  const fetchCmd = `huggingface-cli download ${id} ${FILES.join(' ')}${revision === 'main' ? '' : ` --revision ${revision}`}`;
  if (/^(1|true|yes|on)$/i.test(env.HF_HUB_OFFLINE ?? '')) {
    throw new UserError(`tokenizer ${name} is not in the Hugging Face cache (${cache}) and HF_HUB_OFFLINE is set: run ${fetchCmd} where the Hub is reachable (or set HF_HOME / HF_HUB_CACHE to a cache that has it), or give a path to a tokenizer.json`);
  }
  const endpoint = hfEndpoint(env);
  const policy = retryPolicyFromEnv(env);
  const headers = hfHeaders(env);
  const repo = repoFolder(cache, id);
  let commit: string | undefined;
  const written: Partial<Record<(typeof FILES)[number], string>> = {};
  for (const f of FILES) {
    const got = await download(hfResolveUrl(endpoint, 'models', id, revision, f), headers, policy, name, fetchCmd);
    if (!got) {
      if (f === 'tokenizer.json') throw new UserError(`model ${id} has no tokenizer.json on the Hub (${endpoint}); give a path to a tokenizer.json (skein reads the fast tokenizer format)`);
      continue;
    }
    commit ??= got.commit ?? (/^[0-9a-f]{40}$/.test(revision) ? revision : undefined);
    if (!commit) throw new UserError(`the Hub at ${endpoint} sent ${f} of ${id} without its commit (X-Repo-Commit); check HF_ENDPOINT, or run ${fetchCmd}`);
    const blob = path.join(repo, 'blobs', got.etag);
    const link = path.join(repo, 'snapshots', commit, f);
    fs.mkdirSync(path.dirname(blob), { recursive: true });
    fs.mkdirSync(path.dirname(link), { recursive: true });
    const tmp = `${blob}.incomplete`;
    fs.writeFileSync(tmp, got.body);
    fs.renameSync(tmp, blob);
    fs.rmSync(link, { force: true });
    try {
      fs.symlinkSync(path.relative(path.dirname(link), blob), link);
    } catch {
      fs.copyFileSync(blob, link);
    }
    written[f] = link;
  }
  if (!/^[0-9a-f]{40}$/.test(revision) && commit && commit !== 'unknown') {
    fs.mkdirSync(path.join(repo, 'refs', path.dirname(revision)), { recursive: true });
    fs.writeFileSync(path.join(repo, 'refs', revision), commit);
  }
  return { id, commit: commit!, file: written['tokenizer.json']!, ...(written['tokenizer_config.json'] ? { configFile: written['tokenizer_config.json'] } : {}), downloaded: true };
}

/**
 * One file of a model repository, as `huggingface_hub` fetches it: the `resolve` URL without
 * following its redirect (the Hub's own answer carries the commit, `X-Repo-Commit`, and the
 * blob's ETag, `X-Linked-Etag` for large files), then the redirect's target (the CDN; the
 * token is sent only to the Hub's own origin). Undefined for a file the repository lacks.
 */
async function download(url: string, headers: Record<string, string>, policy: RetryPolicy, name: string, fetchCmd: string): Promise<{ body: Buffer; commit?: string; etag: string } | undefined> {
  const doing = `cannot download tokenizer ${name}:`;
  try {
    const first = await requestWithRetry(url, { scheme: 'hf', policy, headers, doing, accept: [301, 302, 303, 307, 308, 404], redirect: 'manual' });
    if (first.status === 404) return undefined;
    const commit = first.headers.get('x-repo-commit') ?? undefined;
    const etag = (first.headers.get('x-linked-etag') ?? first.headers.get('etag') ?? '').replace(/^W\//, '').replace(/"/g, '');
    let body = first.body;
    if (first.status >= 300) {
      const target = new URL(first.headers.get('location') ?? '', url);
      const sameOrigin = target.origin === new URL(url).origin;
      body = (await requestWithRetry(target.href, { scheme: 'hf', policy, headers: sameOrigin ? headers : {}, doing })).body;
    }
    return { body, commit, etag: etag || createHash('sha256').update(body).digest('hex') };
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${err.message}; or run ${fetchCmd} elsewhere and copy the cache, or give a path to a tokenizer.json`);
    throw err;
  }
}
