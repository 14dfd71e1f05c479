/** A plain HTTP/1.1 client for tests: one connection per request, raw header lines kept. */
import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { pairs } from './echo-backend.ts';

export interface ClientResponse {
  readonly status: number;
  /** Header lines as received, names lower-cased. */
  readonly headers: [string, string][];
  readonly body: string;
  /** The body's bytes as received (no content-coding undone). */
  readonly bytes: Buffer;
  /** All values of a header, in order. */
  all(name: string): string[];
  get(name: string): string | undefined;
}

export function send(
  port: number,
  path: string,
  options: { method?: string; headers?: [string, string][]; body?: string | Buffer; host?: string } = {},
): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: options.host ?? '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        agent: false,
        headers: withHost(options.headers ?? [], `${options.host ?? '127.0.0.1'}:${port}`).flat(),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers = pairs(res.rawHeaders).map(([n, v]) => [n.toLowerCase(), v] as [string, string]);
          const all = (name: string) => headers.filter(([n]) => n === name.toLowerCase()).map(([, v]) => v);
          const bytes = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers, body: bytes.toString('utf8'), bytes, all, get: (n) => all(n)[0] });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Node sends no Host header when headers are given as raw pairs; HTTP/1.1 requires one. */
function withHost(headers: [string, string][], host: string): [string, string][] {
  return headers.some(([n]) => n.toLowerCase() === 'host') ? headers : [['Host', host], ...headers];
}

/** The cookie pair (`NAME=value`) of the first Set-Cookie line for `name`, if any. */
export function setCookieValue(response: ClientResponse, name: string): string | undefined {
  const line = response.all('set-cookie').find((l) => l.startsWith(`${name}=`));
  return line?.split(';')[0];
}

/**
 * Writes `bytes` on a fresh connection and resolves with everything received
 * once the server closes it. `halfClose` also shuts down the sending side
 * (as `nc -N` does) while the answer is awaited.
 */
export async function sendRaw(port: number, bytes: string, options: { halfClose?: boolean } = {}): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
  if (options.halfClose) socket.end(bytes, 'latin1');
  else socket.write(bytes, 'latin1');
  await once(socket, 'close');
  return answer;
}
