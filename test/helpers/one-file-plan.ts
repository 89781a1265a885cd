// A read plan of one input file, for driving the build's reader (DocSource) alone.
import type { ReadPlan } from '../../src/input-plan/read-plan.js';
import type { InputFile } from '../../src/sources/expand-inputs.js';

/** The plan of a build whose only input is `file` (text field `text`), for one rank. */
export function oneFilePlan(file: InputFile): ReadPlan {
  return {
    inputs: [{ index: 0, config: { path: file.path, fields: { text: 'text', id: 'id' } }, files: [file] }],
    items: [{ input: 0, fileIndex: 0, file }],
    bytesTotal: file.size,
    fraction: 1,
    units: { total: 1, mine: 1 },
  };
}
