import { megatronDtype, MEGATRON_DTYPE_CODES, type MegatronDocuments, type MegatronDtype } from '../shards/megatron-writer.js';
import type { ManifestMegatron } from '../shards/manifest.js';
import type { ShardInfo } from '../shards/shard-writer.js';
import type { BosEosPolicy } from '../tokenize/bos-eos-policy.js';
import { UserError } from '../util/errors.js';
import type { RowSemantics } from './builder-registry.js';
import type { PipelineConfig } from '../config/config-schema.js';

/** How a Megatron-format build writes its pairs, decided before any work starts. */
export interface MegatronPlan {
  documents: MegatronDocuments;
  dtype: MegatronDtype;
  /** Megatron-LM flags that reproduce the builder's attention, positions and loss mask. */
  flags: string[];
  eodId: number | null;
}

/** Why a Megatron build is refused: `what` cannot travel, `use` says what to do instead. */
function refuse(what: string, use: string): never {
  throw new UserError(`output.format megatron: ${what}; ${use}`);
}

const ARROW_INSTEAD = 'use output.format arrow and train with the skein_data PyTorch loader (python/) or skein train (docs/train-on-shards.md)';

/**
 * Checks that a build can be written as Megatron-core IndexedDataset pairs without losing
 * anything, and says how: a {@link UserError} naming what cannot travel otherwise. An
 * IndexedDataset stores token ids only; Megatron's GPTDataset packs documents itself, derives
 * positions, attention and the loss mask from its flags and the EOD token. Hence:
 *
 * - explicit `position_ids` (PoSE, RandPos, LongRecipe) and loss masks (UtK markers, chat turns)
 *   cannot travel: refused;
 * - the `eod-mask-loss` augmenter's mask is exactly Megatron's `--eod-mask-loss` when every
 *   document ends with an EOS: the flag replaces the column;
 * - document attention and reset positions become `--reset-attention-mask` /
 *   `--reset-position-ids`, which find document ends by the EOD token: the build must add EOS;
 * - skein's row order is refused (GPTDataset shuffles documents with its own seed);
 * - in `documents` mode, rows that UtK rearranged and documents that `pack` split into pieces
 *   placed in unrelated rows cannot be written as whole documents: refused (`rows` mode, or
 *   another `long_documents`, instead).
 *
 * Returns undefined for Arrow builds.
 */
export function megatronPlan(config: PipelineConfig, semantics: RowSemantics, policy: BosEosPolicy, vocabSize: number, chat: boolean): MegatronPlan | undefined {
  const out = config.output;
  if (out.format !== 'megatron') {
    if (out.megatron_documents !== undefined) throw new UserError('output.megatron_documents applies to output.format megatron; remove it or set output.format to megatron');
    return undefined;
  }
  const documents = out.megatron_documents ?? 'documents';
  const builder = config.builder.type;
  if (semantics.explicitPositions) {
    refuse(`builder ${builder} gives every row explicit position_ids, which a Megatron IndexedDataset cannot carry (it stores token ids only; Megatron derives positions from the EOD token)`, ARROW_INSTEAD);
  }
  const masked = [
    ...(semantics.lossMask ? [`builder ${builder}`] : []),
    ...(chat ? ['chat turns (tokenizer.chat_template: loss only on assistant turns)'] : []),
    ...config.augment.filter((a) => a.type === 'utk' && a.mask_markers).map(() => 'utk mask_markers (knots and chunk-ID headers are not targets)'),
  ];
  if (masked.length > 0) refuse(`the rows carry a loss mask from ${masked.join(' and ')}, which a Megatron IndexedDataset cannot carry (Megatron masks only EOD tokens, with --eod-mask-loss)`, ARROW_INSTEAD);
  const eodMask = config.augment.some((a) => a.type === 'eod-mask-loss');
  const wants: Array<[string, string]> = [
    ...(semantics.attention === 'document' ? [['document attention', '--reset-attention-mask'] as [string, string]] : []),
    ...(semantics.positions === 'reset' ? [['reset positions', '--reset-position-ids'] as [string, string]] : []),
    ...(eodMask ? [['the eod-mask-loss augmenter', '--eod-mask-loss'] as [string, string]] : []),
  ];
  const flags = wants.map(([, flag]) => flag);
  if (wants.length > 0 && policy.eos === undefined) {
    refuse(
      `${wants.map(([what, flag]) => `${what} (Megatron's ${flag})`).join(', ')} need every document to end with the EOD token, by which Megatron finds document ends, but this build adds no EOS`,
      'set tokenizer.add_eos to true (--set tokenizer.add_eos=true)',
    );
  }
  const order = config.order;
  if (order.shuffle_buffer > 0 || order.group_by_length > 0 || order.curriculum) {
    refuse('order.shuffle_buffer, order.group_by_length and order.curriculum reorder rows, but Megatron\'s GPTDataset shuffles documents itself (its --seed)', 'remove the order settings');
  }
  if (documents === 'documents') {
    if (config.augment.some((a) => a.type === 'utk')) {
      refuse('utk rearranges the documents of each row into one sample, so its rows cannot be written back as documents', 'set output.megatron_documents to rows');
    }
    if (config.builder.type === 'pack' && config.builder.long_documents === 'split') {
      refuse(
        'pack with long_documents split places the pieces of a long document in unrelated rows, which Megatron would read as separate documents (only the last ending with EOD)',
        'use builder concat-chunk (Megatron packs documents itself), long_documents truncate, truncate-middle or drop, or output.megatron_documents rows',
      );
    }
  }
  const dtype = megatronDtype(vocabSize);
  return { documents, dtype, flags, eodId: policy.eos ?? null };
}

/** The manifest's `megatron` section for a plan and the pairs written. */
export function megatronManifest(plan: MegatronPlan, shards: readonly ShardInfo[]): ManifestMegatron {
  return withPairs({ documents: plan.documents, dtype: plan.dtype, dtype_code: MEGATRON_DTYPE_CODES[plan.dtype], prefixes: [], sequences: 0, eod_id: plan.eodId, flags: plan.flags }, shards);
}

/** A `megatron` section with `prefixes` and `sequences` set from a list of pairs (a build's, or a merge's). */
export function withPairs(section: ManifestMegatron, shards: readonly ShardInfo[]): ManifestMegatron {
  return { ...section, prefixes: shards.map((s) => s.file.replace(/\.bin$/, '')), sequences: shards.reduce((n, s) => n + (s.documents ?? 0), 0) };
}
