/**
 * `npm run bench -- <name> [--json] [--repeat N] [--tokenizers a,b]`: runs a benchmark and prints
 * ratios measured in one run. Benchmarks: `build` (skein build vs the bare tokenizer).
 */
import { benchBuild } from './build.js';

const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--')) ?? 'build';
const flag = (f: string) => {
  const i = args.indexOf(f);
  return i >= 0 ? args[i + 1] : undefined;
};
const json = args.includes('--json');

if (name === 'build') {
  const tokenizers = (flag('--tokenizers') ?? 'llama3,o200k_base').split(',');
  const repeat = Number(flag('--repeat') ?? 1);
  const results = await benchBuild(tokenizers, repeat);
  for (const r of results) {
    console.log(
      `${r.tokenizer.padEnd(12)} ${r.mb} MB, ${r.tokens} tokens | bare ${(r.bareTokensPerSec / 1e6).toFixed(2)}M tok/s | skein build ${(r.e2eTokensPerSec / 1e6).toFixed(2)}M tok/s (${r.e2eMBPerSec} MB/s) | ratio e2e/bare ${r.ratio} | setup ${r.setupSeconds}s | peak RSS ${r.peakRssMB} MB`,
    );
  }
  if (json) console.log(JSON.stringify(results));
} else {
  console.error(`unknown benchmark '${name}'; available: build`);
  process.exitCode = 1;
}
