import { Command, Option } from 'commander';
import { BACKENDS, type BackendName } from '../train/backend-names.js';
import { backendTable, probeBackends, probeHere } from './backend-report.js';

/** `skein doctor`: which trainer backends load here, and why the others do not. */
export function doctorCommand(): Command {
  return new Command('doctor')
    .description('Say which trainer backends load on this machine (and why the others do not), in the order --backend auto tries them.')
    .option('--json', 'print the probes as JSON')
    .addOption(new Option('--probe <backend>', 'probe one backend in this process (used by doctor itself)').choices([...BACKENDS]).hideHelp())
    .action(async (f: { json?: boolean; probe?: BackendName }) => {
      if (f.probe) {
        process.stdout.write(`${JSON.stringify(await probeHere(f.probe))}\n`);
        return;
      }
      const probes = await probeBackends();
      process.stdout.write(f.json ? `${JSON.stringify(probes, null, 2)}\n` : backendTable(probes));
    });
}
