/**
 * A client connection held open on purpose, for connection-limit tests: it
 * sends keep-alive requests one at a time and says whether the peer closed or
 * reset it. Responses must carry Content-Length (the echo backends' do).
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

export interface HeldConnection {
  /** Sends `GET path` and resolves with the status once the whole response is in. */
  request(path?: string, extraHeaders?: string): Promise<number>;
  /** Statuses received so far. */
  readonly statuses: readonly number[];
  /** Set when the peer closed or reset the connection (`'end'` or the error code). */
  readonly endedBy: string | undefined;
  close(): Promise<void>;
}

export async function holdConnection(port: number, host = '127.0.0.1'): Promise<HeldConnection> {
  const socket: Socket = connect({ host, port });
  await once(socket, 'connect');
  let buffered = Buffer.alloc(0);
  let endedBy: string | undefined;
  const statuses: number[] = [];
  let waiting: { resolve: (status: number) => void; reject: (error: Error) => void } | undefined;
  const tryComplete = () => {
    const headEnd = buffered.indexOf('\r\n\r\n');
    if (!waiting || headEnd < 0) return;
    const head = buffered.subarray(0, headEnd).toString('latin1');
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (buffered.length < headEnd + 4 + length) return;
    buffered = buffered.subarray(headEnd + 4 + length);
    const status = Number(head.split(' ')[1]);
    statuses.push(status);
    const done = waiting;
    waiting = undefined;
    done.resolve(status);
  };
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    tryComplete();
  });
  const ended = (how: string) => {
    endedBy ??= how;
    waiting?.reject(new Error(`connection ended (${how}) before the response`));
    waiting = undefined;
  };
  socket.on('end', () => ended('end'));
  socket.on('error', (error: NodeJS.ErrnoException) => ended(error.code ?? error.message));
  return {
    request(path = '/', extraHeaders = '') {
      return new Promise((resolve, reject) => {
        if (endedBy) return reject(new Error(`connection already ended (${endedBy})`));
        waiting = { resolve, reject };
        socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extraHeaders}\r\n`);
      });
    },
    statuses,
    get endedBy() {
      return endedBy;
    },
    async close() {
      if (socket.destroyed) return;
      const closed = once(socket, 'close');
      socket.destroy();
      await closed;
    },
  };
}
