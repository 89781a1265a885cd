/**
 * A child process for `bench/remote.ts`: serves the files of a folder under `/d/` with the tests'
 * Range-faithful HTTP server, so that the reader being measured does not share its thread with
 * the server. `node --import tsx bench/serve-files.ts <dir> [resetEveryBytes]` prints its URL,
 * and with `resetEveryBytes` resets every GET after that many body bytes (a flaky link). Exits
 * when its stdin closes.
 */
import { RangeServer } from '../test/helpers/range-server.js';

const [dir, resetEvery] = process.argv.slice(2);
const web = await RangeServer.start();
web.putFolder(dir!, '/d');
if (resetEvery) web.resetAfter('/d/', Number(resetEvery), Number.MAX_SAFE_INTEGER);
process.stdout.write(`${web.url}\n`);
process.stdin.resume();
process.stdin.on('end', () => void web.close().then(() => process.exit(0)));
