// @fastify/reply-from on fastify, round-robin over BACKENDS: the common JS way.
import Fastify from 'fastify';
import replyFrom from '@fastify/reply-from';

const backends = process.env.BACKENDS.split(',').map((port) => `http://127.0.0.1:${port}`);
let next = 0;
const app = Fastify({ logger: false });
await app.register(replyFrom, { undici: { connections: 128, pipelining: 1 } });
app.all('/*', (request, reply) => reply.from(backends[next++ % backends.length] + request.url));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
