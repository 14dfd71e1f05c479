#!/usr/bin/env node
// Entry point of the `edge-balancer` command. Installed from the package it
// runs as compiled JavaScript (dist/adapters/node/main.js); in this repository
// bin.mjs runs it from the sources through tsx.
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
