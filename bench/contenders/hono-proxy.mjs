// The obvious Hono way: hono/proxy on @hono/node-server, naive round-robin.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { proxy } from 'hono/proxy';

const backends = process.env.BACKENDS.split(',').map((port) => `http://127.0.0.1:${port}`);
let next = 0;
const app = new Hono();
app.all('*', (c) => proxy(backends[next++ % backends.length] + new URL(c.req.url).pathname, { raw: c.req.raw }));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
