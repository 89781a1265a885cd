/**
 * `skein setup-backend tensorflow [--gpu]`: builds `@tensorflow/tfjs-node(-gpu)` against the
 * libtensorflow inside a TensorFlow wheel, into the skein home (install-layout.ts), with no
 * download besides the npm registry and the wheel (pip's index or mirror, or a path/URL given).
 *
 * Steps (each prints a progress line):
 * 1. check the tools (preflight.ts) — one line naming everything missing;
 * 2. the wheel (wheel.ts);
 * 3. `npm install --ignore-scripts` of the package into a temporary folder (its install script
 *    would download libtensorflow 2.9.1 and a prebuilt addon from Google's storage);
 * 4. the two libraries into the package's `deps/lib` (with the `libtensorflow.so` and
 *    `libtensorflow_framework.so` links the linker wants) and the C headers into `deps/include`;
 * 5. strip debug symbols (when binutils' strip is there);
 * 6. compile the binding with node-pre-gyp `--build-from-source` (node-gyp, with --nodedir at the
 *    local Node headers so that nothing is downloaded);
 * 7. load it in this process and check a matmul against the pure-JS backend;
 * then the marker is written and the folder renamed into place (a crash leaves no half set-up;
 * a rerun deletes leftovers of dead runs). A finished set-up makes a rerun instant.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeFolder } from '../../util/environment-error.js';
import { UserError } from '../../util/errors.js';
import { skeinHome } from '../../util/skein-home.js';
import { checkBuildTools, type BuildTools } from './preflight.js';
import { bindingPath, DEFAULT_TF_VERSION, INSTALL_MARKER, NATIVE_VARIANTS, nativeDir, nativeStatus, TFJS_NODE_VERSION, type NativeInstall, type NativeVariant } from './install-layout.js';
import { checkWheel, extractLibtensorflow, lastLine, obtainWheel, run, sha256File, WHEEL_LIBRARIES } from './wheel.js';

/** Options of {@link setupNative}. */
export interface SetupOptions {
  variant: NativeVariant;
  /** A wheel file or http(s) URL instead of pip. */
  wheel?: string;
  /** The TensorFlow version pip fetches (default {@link DEFAULT_TF_VERSION}). */
  tfVersion?: string;
  /** Rebuild even when set up. */
  force?: boolean;
  /** The skein home (default skeinHome()). */
  home?: string;
  /** Progress output (one line per step). */
  log: (text: string) => void;
}

/** What a set-up did. */
export interface SetupResult {
  dir: string;
  install: NativeInstall;
  /** True when it was already set up and nothing was done. */
  already: boolean;
}

/** Disk use of a folder in bytes (links not followed). */
async function diskUse(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(path.join(e.parentPath, e.name))).size;
  }
  return total;
}

/** Removes temporary set-up folders of runs whose process is gone. */
async function removeStale(parent: string, variant: NativeVariant): Promise<void> {
  if (!existsSync(parent)) return;
  for (const name of await readdir(parent)) {
    const m = new RegExp(`^\\.${variant}\\.(?:tmp|old)-(\\d+)$`).exec(name);
    if (!m) continue;
    let alive = Number(m[1]) === process.pid;
    try {
      process.kill(Number(m[1]), 0);
      alive = true;
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive) await rm(path.join(parent, name), { recursive: true, force: true });
  }
}

/** MB with no decimals. */
const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;

/**
 * Sets the native backend up (see the module comment). Throws a {@link UserError} with one line
 * naming what is missing or what failed, and the fix.
 */
export async function setupNative(o: SetupOptions): Promise<SetupResult> {
  const home = o.home ?? skeinHome();
  const { variant } = o;
  const { npmPackage, wheelProject } = NATIVE_VARIANTS[variant];
  const dir = nativeDir(variant, home);
  const status = nativeStatus(variant, home);
  if (status.state === 'ready' && !o.force) {
    if (status.install.package_version !== TFJS_NODE_VERSION) {
      throw new UserError(`${dir} holds ${npmPackage} ${status.install.package_version}, this skein needs ${TFJS_NODE_VERSION}: rerun with --force to rebuild it`);
    }
    return { dir, install: status.install, already: true };
  }
  const version = o.tfVersion ?? DEFAULT_TF_VERSION;
  const started = performance.now();
  const parent = path.dirname(dir);
  const steps = 7;
  let stepNo = 0;
  let stepStart = 0;
  const begin = (text: string) => {
    stepNo++;
    stepStart = performance.now();
    o.log(`[${stepNo}/${steps}] ${text}`);
  };
  const end = (text = '') => o.log(`${text ? ` ${text}` : ''} (${((performance.now() - stepStart) / 1000).toFixed(1)} s)\n`);

  o.log(`skein setup-backend: ${variant} = ${npmPackage} ${TFJS_NODE_VERSION} on the libtensorflow of ${o.wheel ? path.basename(o.wheel) : `${wheelProject} ${version}`}, into ${dir}\n`);
  begin('tools:');
  let tools: BuildTools;
  try {
    tools = checkBuildTools({ needPip: !o.wheel, home });
  } catch (e) {
    o.log('\n'); // end the step's line before the error
    throw e;
  }
  end(tools.summary);
  await makeFolder(parent).catch((e: NodeJS.ErrnoException) => {
    throw new UserError(`cannot create ${e.path ?? parent} (${e.code ?? e.message}): set SKEIN_HOME to a writable folder`);
  });
  await removeStale(parent, variant);

  const tmp = path.join(parent, `.${variant}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const logFile = path.join(parent, `${variant}-setup.log`);
  let fetched: string | undefined;
  try {
    begin(o.wheel ? `wheel: ${o.wheel}` : `wheel: pip download ${wheelProject}==${version}`);
    const wheel = await obtainWheel({ given: o.wheel, pip: tools.pip, project: wheelProject, version, cacheDir: path.join(home, 'cache', 'wheels') });
    if (wheel.fetched) fetched = wheel.file;
    await checkWheel(wheel.file);
    const wheelSha = await sha256File(wheel.file);
    end(`→ ${path.basename(wheel.file)}, ${mb((await stat(wheel.file)).size)}`);

    begin(`npm install --ignore-scripts ${npmPackage}@${TFJS_NODE_VERSION}`);
    await writeFile(path.join(tmp, 'package.json'), `${JSON.stringify({ name: `skein-${variant}-backend`, private: true, description: 'Built by skein setup-backend; skein loads it at run time.', dependencies: { [npmPackage]: TFJS_NODE_VERSION } }, null, 2)}\n`);
    const npm = await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: tmp });
    if (npm.code !== 0) throw new UserError(`npm install ${npmPackage}@${TFJS_NODE_VERSION} failed (${lastLine(npm.output)}): check npm's registry access (npm ping) and rerun`);
    // skein's own @tensorflow/tfjs serves the backend (load-native.ts); a second copy is never loaded.
    for (const p of ['tfjs', 'tfjs-core', 'tfjs-backend-cpu', 'tfjs-backend-webgl', 'tfjs-converter', 'tfjs-data', 'tfjs-layers']) {
      await rm(path.join(tmp, 'node_modules', '@tensorflow', p), { recursive: true, force: true });
    }
    end();

    const pkgDir = path.join(tmp, 'node_modules', ...npmPackage.split('/'));
    const libDir = path.join(pkgDir, 'deps', 'lib');
    begin('libtensorflow and its C headers from the wheel:');
    const ex = await extractLibtensorflow(wheel.file, libDir, path.join(pkgDir, 'deps', 'include'));
    await symlink(WHEEL_LIBRARIES[0], path.join(libDir, 'libtensorflow.so'));
    await symlink(WHEEL_LIBRARIES[1], path.join(libDir, 'libtensorflow_framework.so'));
    end(`2 libraries, ${ex.headers} headers, ${mb(ex.bytes)}`);
    if (fetched) {
      await rm(fetched, { force: true });
      fetched = undefined;
    }

    begin('strip debug symbols:');
    if (tools.strip) {
      for (const lib of WHEEL_LIBRARIES) {
        const r = await run(tools.strip, ['--strip-unneeded', path.join(libDir, lib)]);
        if (r.code !== 0) throw new UserError(`strip ${lib} failed (${lastLine(r.output)}): rerun; if it persists, report it`);
      }
      end(`${mb(ex.bytes)} → ${mb(await diskUse(libDir))}`);
    } else end('skipped (no strip; install binutils to save ~200 MB)');

    begin(`compile the binding (node-pre-gyp --build-from-source, ${tools.cxx})`);
    const gyp = await run(process.execPath, [path.join(tmp, 'node_modules', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp'), 'install', '--build-from-source'], {
      cwd: pkgDir,
      env: { ...process.env, npm_config_nodedir: tools.nodedir, npm_config_node_gyp: tools.nodeGyp, CXX: process.env.CXX ?? tools.cxx },
    });
    await writeFile(logFile, gyp.output);
    if (gyp.code !== 0 || !existsSync(bindingPath(tmp, variant))) {
      const err = gyp.output.split('\n').find((l) => /error/i.test(l))?.trim() ?? lastLine(gyp.output);
      throw new UserError(`compiling the ${npmPackage} binding failed (${err}); full log: ${logFile}`);
    }
    await rm(path.join(pkgDir, 'build'), { recursive: true, force: true });
    end();

    begin('check: load it and compare a matmul with the pure-JS backend:');
    const check = await import('./check-native.js');
    const tfVersion = await check.checkNative(tmp, variant);
    end(`tf.getBackend() = tensorflow, TensorFlow ${tfVersion}, matmul matches`);

    const install: NativeInstall = {
      backend: variant,
      package: npmPackage,
      package_version: TFJS_NODE_VERSION,
      tensorflow_version: tfVersion,
      wheel: path.basename(wheel.file),
      wheel_sha256: wheelSha,
      stripped: !!tools.strip,
      bytes: await diskUse(tmp),
      setup_seconds: Math.round((performance.now() - started) / 100) / 10,
      built_at: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    };
    await writeFile(path.join(tmp, INSTALL_MARKER), `${JSON.stringify(install, null, 2)}\n`);
    const old = path.join(parent, `.${variant}.old-${process.pid}`);
    if (existsSync(dir)) await rename(dir, old);
    await rename(tmp, dir);
    await rm(old, { recursive: true, force: true });
    return { dir, install, already: false };
  } catch (e) {
    o.log('\n');
    await rm(tmp, { recursive: true, force: true });
    if (fetched) await rm(fetched, { force: true });
    if (e instanceof UserError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOSPC') throw new UserError(`the disk under ${home} is full: free ~2 GB or set SKEIN_HOME to a disk with room, then rerun`);
    if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS') throw new UserError(`cannot write under ${home} (${err.code}): set SKEIN_HOME to a writable folder`);
    throw e;
  }
}
