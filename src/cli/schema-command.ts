import { Command } from 'commander';
import { pipelineJsonSchema } from '../config/config-schema.js';

/** `skein schema`: prints the JSON Schema of pipeline configs (the file published as pipelines/pipeline.schema.json). */
export function schemaCommand(): Command {
  return new Command('schema')
    .description('Print the JSON Schema of pipeline config files (published as pipelines/pipeline.schema.json).')
    .action(() => {
      process.stdout.write(`${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`);
    });
}
