#!/usr/bin/env node
// The `edge-balancer` command from the repository's TypeScript sources, through
// tsx's loader (npm start, the tests, bench and reliability use it). The
// package's `bin` is the compiled dist/adapters/node/main.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
