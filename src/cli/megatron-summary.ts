import type { Manifest } from '../shards/manifest.js';

/** The summary lines of a Megatron-format folder: its dtype, documents and the Megatron-LM flags. */
export function megatronLines(mg: NonNullable<Manifest['megatron']>): string[] {
  return [
    `  megatron: ${mg.sequences} documents (${mg.documents === 'rows' ? 'one per row' : 'the build\'s documents'}) as ${mg.dtype} tokens in ${mg.prefixes.length} .bin/.idx pair${mg.prefixes.length === 1 ? '' : 's'}, EOD ${mg.eod_id ?? 'none'}`,
    `  Megatron-LM flags: ${mg.flags.length ? mg.flags.join(' ') : 'none needed (continuous positions, causal attention)'}; --data-path takes the prefixes (docs/train-on-shards.md)`,
  ];
}
