#!/usr/bin/env node
// Entry point of the `edge-balancer` command: the sources are TypeScript, run
// through tsx's loader so no build step is needed.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
