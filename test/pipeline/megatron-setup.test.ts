import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builderFactory, validateConfig } from '../../src/index.js';
import { megatronPlan } from '../../src/setup/megatron-setup.js';
import type { BosEosPolicy } from '../../src/tokenize/bos-eos-policy.js';
import { UserError } from '../../src/util/errors.js';

/** The Megatron plan of a config (inputs and tokenizer are placeholders: the plan reads neither). */
function plan(extra: Record<string, unknown>, policy: BosEosPolicy = { bos: 1 }, vocab = 128256, chat = false) {
  const config = validateConfig({ inputs: [{ path: 'x.jsonl' }], tokenizer: { name: 'llama3' }, builder: { type: 'concat-chunk', seq_len: 1024 }, ...extra, output: { format: 'megatron', ...(extra.output as object) } });
  return megatronPlan(config, builderFactory(config.builder).semantics(config.builder), policy, vocab, chat);
}

/** Asserts that a plan is refused with a user error matching `why`. */
function refused(fn: () => unknown, why: RegExp): void {
  assert.throws(fn, (e: Error) => e instanceof UserError && why.test(e.message) && e.message.startsWith('output.format megatron: '));
}

test('the default layout needs no flag; the dtype follows the vocabulary size', () => {
  assert.deepEqual(plan({}), { documents: 'documents', dtype: 'int32', flags: [], eodId: null });
  assert.equal(plan({}, { bos: 1 }, 32000)!.dtype, 'uint16');
  assert.equal(plan({ output: { megatron_documents: 'rows' } })!.documents, 'rows');
});

test('document attention, reset positions and eod-mask-loss become Megatron flags, which need an EOS on every document', () => {
  const pack = { builder: { type: 'pack', seq_len: 1024, long_documents: 'truncate-middle' } };
  assert.deepEqual(plan(pack, { bos: 1, eos: 2 }), { documents: 'documents', dtype: 'int32', flags: ['--reset-attention-mask', '--reset-position-ids'], eodId: 2 });
  refused(() => plan(pack), /document attention \(Megatron's --reset-attention-mask\), reset positions \(Megatron's --reset-position-ids\) need every document to end with the EOD token.*; set tokenizer.add_eos to true/);
  assert.deepEqual(plan({ augment: [{ type: 'eod-mask-loss' }] }, { eos: 2 })!.flags, ['--eod-mask-loss']);
  refused(() => plan({ augment: [{ type: 'eod-mask-loss' }] }, { bos: 1 }), /the eod-mask-loss augmenter \(Megatron's --eod-mask-loss\)/);
  refused(() => plan({ builder: { type: 'pack', seq_len: 1024 } }, { eos: 2 }), /pack with long_documents split .*; use builder concat-chunk/);
  assert.deepEqual(plan({ builder: { type: 'pack', seq_len: 1024 }, output: { megatron_documents: 'rows' } }, { eos: 2 })!.documents, 'rows', 'rows mode keeps split pieces inside their rows');
});

test('what cannot travel is refused, naming what to use instead', () => {
  refused(() => plan({ builder: { type: 'randpos', seq_len: 256, target_len: 2048 } }), /builder randpos gives every row explicit position_ids.*; use output.format arrow/);
  refused(() => plan({ builder: { type: 'longrecipe', seq_len: 256, target_len: 2048 } }), /builder longrecipe gives every row explicit position_ids/);
  refused(() => plan({ builder: { type: 'single', seq_len: 1024 } }, { bos: 1 }, 128256, true), /loss mask from chat turns/);
  refused(() => plan({ augment: [{ type: 'utk' }] }), /loss mask from utk mask_markers/);
  refused(() => plan({ augment: [{ type: 'utk', mask_markers: false }] }), /utk rearranges the documents of each row.*; set output.megatron_documents to rows/);
  assert.deepEqual(plan({ augment: [{ type: 'utk', mask_markers: false }], output: { megatron_documents: 'rows' } })!.flags, []);
  for (const order of [{ shuffle_buffer: 8 }, { group_by_length: 4 }, { curriculum: true }]) refused(() => plan({ order }), /GPTDataset shuffles documents itself.*; remove the order settings/);
});

test('Arrow builds have no plan, and refuse the Megatron-only key', () => {
  const arrow = (output: object) => {
    const config = validateConfig({ inputs: [{ path: 'x.jsonl' }], tokenizer: { name: 'llama3' }, builder: { type: 'concat-chunk', seq_len: 1024 }, output });
    return megatronPlan(config, builderFactory(config.builder).semantics(config.builder), { bos: 1 }, 128256, false);
  };
  assert.equal(arrow({}), undefined);
  assert.equal(arrow({ format: 'arrow' }), undefined);
  assert.throws(() => arrow({ megatron_documents: 'rows' }), /output.megatron_documents applies to output.format megatron/);
});
