/**
 * Runs one configuration (argument 1, its text, binding \${PORT}) twice in
 * this deno process, on the ports of arguments 2 and 3:
 * with the raw front (adapters/deno/raw-front.ts) and without it (Deno.serve
 * alone), for test/deno/raw-front.test.ts. Prints one JSON line with both
 * listeners' ports, `{"raw":…,"plain":…}`; on SIGTERM or when stdin closes,
 * closes both gracefully (in-flight requests finish) and exits.
 *
 * An .mjs file: the Node tsc project does not type-check Deno code.
 */
import { parseHaproxyConfig } from '../../src/config/index.ts';
import { createDenoDeps } from '../../adapters/deno/deno-deps.ts';
import { startBalancer } from '../../adapters/deno/serve.ts';

const encoder = new TextEncoder();
const stderr = (line) => Deno.stderr.writeSync(encoder.encode(`${line}\n`));
/** Warnings (a raw front's write failing…) reach the test's output; access lines do not. */
const logger = { info() {}, warn: stderr, access() {} };

const [text, rawPort, plainPort] = Deno.args;
const configOn = (port) => parseHaproxyConfig([{ file: 'test.cfg', text }], { env: { PORT: port } }).config;
const raw = await startBalancer(configOn(rawPort), createDenoDeps(logger), { rawFront: true });
const plain = await startBalancer(configOn(plainPort), createDenoDeps(logger), { rawFront: false });

const stop = Promise.withResolvers();
Deno.addSignalListener('SIGTERM', stop.resolve);
void (async () => {
  // Reads until the test closes stdin (or exits).
  for await (const _ of Deno.stdin.readable);
  stop.resolve();
})();

Deno.stdout.writeSync(encoder.encode(`${JSON.stringify({ raw: raw.listeners[0].port, plain: plain.listeners[0].port })}\n`));
await stop.promise;
await Promise.all([raw.close(10_000), plain.close(10_000)]);
Deno.exit(0);
