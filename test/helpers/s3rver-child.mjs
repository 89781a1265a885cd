// Runs s3rver (an S3-compatible server from npm) on a free loopback port for the tests, in a
// process of its own: s3rver signs its list continuation tokens with DES, which Node 17+ offers
// only with --openssl-legacy-provider (the parent passes it). Prints {"port": N} when ready and
// exits when its stdin closes (the test process ended).
import S3rver from 's3rver';

const directory = process.argv[2];
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'corpus' }] });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.stdin.resume();
process.stdin.on('end', () => server.close().then(() => process.exit(0)));
process.stdin.on('error', () => process.exit(0));
