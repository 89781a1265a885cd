#!/usr/bin/env node
// Entry point of the `skein` command: runs the compiled CLI (dist/ is built by `npm install` via the prepare script).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
