import path from 'node:path';
import { Command } from 'commander';
import { mergeBuilds } from '../merge/merge-builds.js';
import { humanCount } from '../run/progress.js';

interface MergeFlags {
  output: string;
  hardlink?: boolean;
  json?: boolean;
}

/** `skein merge <dirs...> --output <dir>`: joins the ranks of a scaled-out build into one dataset folder. */
export function mergeCommand(): Command {
  return new Command('merge')
    .description('Join the rank folders of a scaled-out build into one dataset folder (manifest, state.json, dataset_info.json) without copying shards.')
    .argument('<dirs...>', 'the rank folders, e.g. out/rank-*')
    .requiredOption('-o, --output <dir>', 'the merged dataset folder (the parent of the rank folders keeps paths short)')
    .option('--hardlink', 'hard-link the shards into the output folder instead of referencing them by relative path')
    .option('--json', 'print the merged manifest as JSON')
    .action(async (dirs: string[], flags: MergeFlags) => {
      const m = await mergeBuilds(dirs, flags.output, { hardlink: flags.hardlink });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
        return;
      }
      const rel = path.relative(process.cwd(), path.resolve(flags.output)) || '.';
      process.stdout.write(
        [
          `skein merge: ${m.scale_out!.world_size} ranks → ${rel}/: ${m.totals.rows} rows (${humanCount(m.totals.tokens)} tokens) in ${m.totals.shards} shards (${flags.hardlink ? 'hard links' : 'referenced by relative path'}, nothing copied)`,
          `  documents: read ${m.documents.read} = written ${m.documents.written} + dropped ${m.documents.read - m.documents.written}`,
          `  next: npx skein inspect ${rel}   or in Python: datasets.load_from_disk("${rel}")`,
        ].join('\n') + '\n',
      );
    });
}
