// http-proxy with a keep-alive agent, round-robin over BACKENDS.
import http from 'node:http';
import httpProxy from 'http-proxy';

const backends = process.env.BACKENDS.split(',').map((port) => `http://127.0.0.1:${port}`);
const proxy = httpProxy.createProxyServer({ agent: new http.Agent({ keepAlive: true, maxSockets: 128 }) });
// A server error after the head went out cuts the response; writeHead then would throw and end the process.
proxy.on('error', (_error, _req, res) => (res.headersSent ? res.destroy() : res.writeHead?.(502).end()));
let next = 0;
http.createServer((req, res) => proxy.web(req, res, { target: backends[next++ % backends.length] })).listen(Number(process.env.PORT), '127.0.0.1');
