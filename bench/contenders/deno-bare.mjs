// deno-bare: the runtime's ceiling for a proxy on Deno, as node-bare is
// Node's. Deno.serve in front; behind, kept-alive Deno.connect connections
// per backend, round-robin, GET only, each response read whole into one
// buffer (Content-Length framing only: the benchmark's nginx sends it) and
// answered with one Response whose body is that Uint8Array. Hop-by-hop
// headers dropped both ways. No rules, health, logs, counters, error pages,
// chunked bodies or timeouts. With the argument `serve` it answers a fixed 100 B page
// without any backend: the cost of Deno.serve alone.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const encoder = new TextEncoder();
const latin1 = new TextDecoder('latin1');
const ports = (Deno.env.get('BACKENDS') ?? '').split(',').map(Number);
/** @type {Deno.Conn[][]} */
const idle = ports.map(() => []);
let next = 0;
const serveOnly = Deno.args[0] === 'serve';

/** Reads one response whole: its status, header lines and body. */
async function readResponse(conn) {
  let bytes = new Uint8Array(16 * 1024);
  let filled = 0;
  let headEnd = -1;
  let total = -1;
  let status = 0;
  const headers = [];
  for (;;) {
    if (filled === bytes.length) {
      const larger = new Uint8Array(bytes.length * 2);
      larger.set(bytes);
      bytes = larger;
    }
    const count = await conn.read(bytes.subarray(filled));
    if (count === null) throw new Error('closed');
    filled += count;
    if (headEnd < 0) {
      for (let i = 3; i < filled; i++) if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) { headEnd = i + 1; break; }
      if (headEnd < 0) continue;
      const lines = latin1.decode(bytes.subarray(0, headEnd - 4)).split('\r\n');
      let length = 0;
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'content-length') length = Number(value);
        if (!HOP_BY_HOP.has(name)) headers.push([name, value]);
      }
      total = headEnd + length;
      status = Number(lines[0].slice(9, 12));
    }
    if (filled >= total) return { status, headers, body: bytes.slice(headEnd, total) };
  }
}

Deno.serve({ hostname: '127.0.0.1', port: Number(Deno.env.get('PORT')), onListen() {} }, async (request) => {
  if (serveOnly) return new Response('x'.repeat(100), { headers: { 'content-type': 'text/plain' } });
  const server = next++ % ports.length;
  const conn = idle[server].pop() ?? (await Deno.connect({ hostname: '127.0.0.1', port: ports[server] }));
  const url = new URL(request.url);
  let head = `${request.method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
  for (const [name, value] of request.headers) if (!HOP_BY_HOP.has(name)) head += `${name}: ${value}\r\n`;
  try {
    await conn.write(encoder.encode(`${head}\r\n`));
    const response = await readResponse(conn);
    idle[server].push(conn);
    return new Response(response.body, { status: response.status, headers: response.headers });
  } catch {
    conn.close();
    return new Response(null, { status: 502 });
  }
});
