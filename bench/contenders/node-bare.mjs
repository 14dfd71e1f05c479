// node-bare: the runtime's ceiling for a proxy on Node. node:http in front,
// one undici Pool per backend, round-robin, hop-by-hop headers dropped both
// ways, bodies streamed (undici's `stream` writes the server's body straight
// into the ServerResponse). Nothing else: no rules, no health, no logs, no
// counters, no error pages. Whatever edge-balancer does above this is what
// its own work costs.
import http from 'node:http';
import { Pool } from 'undici';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const pools = process.env.BACKENDS.split(',').map((port) => new Pool(`http://127.0.0.1:${port}`, { connections: 128 }));
let next = 0;

/** Node's flat [name, value, …] request head without hop-by-hop fields. */
function requestHeaders(raw) {
  const kept = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i].toLowerCase())) kept.push(raw[i], raw[i + 1]);
  return kept;
}

/** undici's response header object (names lower-cased) without hop-by-hop fields. */
function responseHeaders(headers) {
  for (const name of HOP_BY_HOP) delete headers[name];
  return headers;
}

http
  .createServer((req, res) => {
    const pool = pools[next++ % pools.length];
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    pool.stream(
      { method: req.method, path: req.url, headers: requestHeaders(req.rawHeaders), body: hasBody ? req : null },
      ({ statusCode, headers }) => {
        res.writeHead(statusCode, responseHeaders(headers));
        return res;
      },
      (error) => {
        if (!error) return;
        if (res.headersSent) res.destroy();
        else res.writeHead(502).end();
      },
    );
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
