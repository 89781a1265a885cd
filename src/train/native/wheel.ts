/**
 * The TensorFlow wheel a native backend is built from: fetched with pip (online or from a local
 * wheel mirror), downloaded from a URL, or given as a file; then the two libtensorflow shared
 * libraries and the C API headers are extracted from it.
 *
 * A TensorFlow wheel for Linux carries `tensorflow/libtensorflow_cc.so.2` (which exports the C and
 * eager C APIs, TF_* and TFE_*) and `tensorflow/libtensorflow_framework.so.2`, with the headers
 * under `tensorflow/include/`. The Python tag of the wheel does not matter: the libraries do not
 * link libpython.
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Entry, ZipFile } from 'yauzl';
import { listEntries, openEntry, openZip } from '../../util/zip-file.js';
import { UserError } from '../../util/errors.js';

/** The libraries taken from the wheel (into deps/lib). */
export const WHEEL_LIBRARIES = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'] as const;

/** Header paths (under the wheel's tensorflow/include/) the binding compiles against. */
const HEADER = /^(tensorflow\/c\/.*\.h|tensorflow\/core\/platform\/ctstring[^/]*\.h|tsl\/platform\/ctstring[^/]*\.h|xla\/tsl\/c\/.*\.h)$/;

/** A wheel on disk. */
export interface WheelFile {
  file: string;
  /** Whether skein downloaded it (and may delete it afterwards). */
  fetched: boolean;
}

/** Runs a command, collecting its output; resolves with the exit code and the output. */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The last non-empty line of a command's output (what to show when it failed). */
export function lastLine(output: string): string {
  return (
    output
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? 'no output'
  );
}

/** Downloads `url` to `dest` (through a `.part` file). */
async function download(url: string, dest: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new UserError(`cannot download the wheel ${url} (${(e as Error).message}; ${String((e as { cause?: Error }).cause?.message ?? '')}): check the URL, or download it elsewhere and pass --wheel <path>`);
  }
  if (!res.ok || !res.body) throw new UserError(`cannot download the wheel ${url} (HTTP ${res.status}): check the URL, or download it elsewhere and pass --wheel <path>`);
  const part = `${dest}.part`;
  await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(part));
  await rename(part, dest);
}

/**
 * The wheel to build from: `given` (a path, or an http(s) URL downloaded into `cacheDir`), else
 * `pip download --no-deps --only-binary=:all: <project>==<version>` into `cacheDir`.
 */
export async function obtainWheel(o: { given?: string; pip?: string[]; project: string; version: string; cacheDir: string }): Promise<WheelFile> {
  await mkdir(o.cacheDir, { recursive: true });
  if (o.given && /^https?:\/\//i.test(o.given)) {
    const dest = path.join(o.cacheDir, decodeURIComponent(new URL(o.given).pathname.split('/').pop() || 'tensorflow.whl'));
    await download(o.given, dest);
    return { file: dest, fetched: true };
  }
  if (o.given) {
    const file = path.resolve(o.given);
    const s = await stat(file).catch(() => null);
    if (!s?.isFile()) throw new UserError(`--wheel ${o.given}: no such file: give the path of a ${o.project} wheel (.whl) or an http(s) URL`);
    return { file, fetched: false };
  }
  const spec = `${o.project}==${o.version}`;
  const [cmd, ...pre] = o.pip!;
  const r = await run(cmd!, [...pre, 'download', '--no-deps', '--only-binary=:all:', '--dest', o.cacheDir, spec]);
  if (r.code !== 0) {
    throw new UserError(`pip could not download ${spec} (${lastLine(r.output)}): check pip's index or mirror (pip config list), or download the wheel elsewhere and pass --wheel <path|url>`);
  }
  const prefix = `${o.project.replace(/-/g, '_')}-${o.version}-`;
  const wheel = (await readdir(o.cacheDir)).find((f) => f.startsWith(prefix) && f.endsWith('.whl'));
  if (!wheel) throw new UserError(`pip reported success but left no ${prefix}*.whl in ${o.cacheDir}: pass the wheel with --wheel <path>`);
  return { file: path.join(o.cacheDir, wheel), fetched: true };
}

/** sha256 of a file, hex. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(file), h);
  return h.digest('hex');
}

/** The wheel's entries to extract: the two libraries and the C API headers. Throws a {@link UserError} when it lacks them. */
function wheelParts(wheel: string, entries: Entry[]): { libs: Entry[]; headers: Entry[] } {
  const libs = WHEEL_LIBRARIES.map((name) => entries.find((e) => e.fileName === `tensorflow/${name}`));
  const absent = WHEEL_LIBRARIES.filter((_, i) => !libs[i]);
  if (absent.length) {
    throw new UserError(`${path.basename(wheel)} is not a Linux TensorFlow wheel with the C library (no tensorflow/${absent.join(', tensorflow/')}): give a tensorflow-cpu (or, with --gpu, tensorflow) wheel for Linux`);
  }
  const headers = entries.filter((e) => e.fileName.startsWith('tensorflow/include/') && HEADER.test(e.fileName.slice('tensorflow/include/'.length)));
  if (!headers.some((e) => e.fileName === 'tensorflow/include/tensorflow/c/c_api.h')) {
    throw new UserError(`${path.basename(wheel)} lacks the C API headers (tensorflow/include/tensorflow/c/c_api.h): give a TensorFlow 2.x wheel for Linux`);
  }
  return { libs: libs as Entry[], headers };
}

/** Opens a wheel and lists its entries; a {@link UserError} when it is not a ZIP. */
async function openWheel(wheel: string): Promise<{ zip: ZipFile; entries: Entry[] }> {
  let zip: ZipFile;
  try {
    zip = await openZip(wheel);
  } catch (e) {
    throw new UserError(`${wheel} is not a wheel (${(e as Error).message}): give a TensorFlow wheel (.whl) for Linux`);
  }
  try {
    return { zip, entries: await listEntries(zip) };
  } catch (e) {
    zip.close();
    throw new UserError(`${wheel} is a damaged ZIP (${(e as Error).message}): download the wheel again`);
  }
}

/** Checks that a wheel holds what a build needs (before anything else is downloaded or built). */
export async function checkWheel(wheel: string): Promise<void> {
  const { zip, entries } = await openWheel(wheel);
  try {
    wheelParts(wheel, entries);
  } finally {
    zip.close();
  }
}

/**
 * Extracts the libraries into `libDir` and the C API headers into `includeDir`. Throws a
 * {@link UserError} when the file is not a ZIP or lacks the libraries (not a Linux TensorFlow wheel).
 * Returns the counts and bytes written.
 */
export async function extractLibtensorflow(wheel: string, libDir: string, includeDir: string): Promise<{ headers: number; bytes: number }> {
  const { zip, entries } = await openWheel(wheel);
  try {
    const { libs, headers } = wheelParts(wheel, entries);
    await rm(libDir, { recursive: true, force: true });
    await rm(includeDir, { recursive: true, force: true });
    await mkdir(libDir, { recursive: true });
    let bytes = 0;
    const write = async (e: Entry, dest: string, mode: number) => {
      await mkdir(path.dirname(dest), { recursive: true });
      await pipeline(await openEntry(zip, e), createWriteStream(dest, { mode }));
      bytes += e.uncompressedSize;
    };
    for (const e of libs) await write(e, path.join(libDir, path.basename(e.fileName)), 0o755);
    for (const e of headers) await write(e, path.join(includeDir, e.fileName.slice('tensorflow/include/'.length)), 0o644);
    return { headers: headers.length, bytes };
  } finally {
    zip.close();
  }
}
