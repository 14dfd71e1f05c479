/**
 * A request body on its way to a server, after the head (adapters/node/
 * server-exchange.ts): read from the client's stream, written with
 * back-pressure (a full socket waits for `drain`), chunked when its length is
 * unknown. The exchange hears when it is all written or when it failed (the
 * client left mid-upload), and cancels it when the exchange ends first.
 */
import type { Socket } from 'node:net';

/** Who hears how the body went. */
export interface RequestBodyOwner {
  requestBodyWritten(): void;
  requestBodyFailed(error: unknown): void;
}

export class RequestBodyPump {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(socket: Socket, body: ReadableStream<Uint8Array>, chunked: boolean, owner: RequestBodyOwner) {
    this.#reader = body.getReader();
    writeRequestBody(socket, this.#reader, chunked).then(
      () => owner.requestBodyWritten(),
      (error: unknown) => owner.requestBodyFailed(error),
    );
  }

  /** The exchange ended before the body did: the rest is not read (the client's side drains it). */
  cancel(reason: unknown): void {
    this.#reader.cancel(reason).catch(() => {});
  }
}

/**
 * Streams the request body after the head, with back-pressure (a full socket
 * waits for `drain`); chunked when the length is unknown. Resolves when all
 * of it is written; rejects when the body fails (the client left).
 */
async function writeRequestBody(socket: Socket, reader: ReadableStreamDefaultReader<Uint8Array>, chunked: boolean): Promise<void> {
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const chunk = read.value;
      if (chunk.byteLength === 0) continue;
      if (socket.destroyed) throw new Error('server connection closed');
      let flowing: boolean;
      if (chunked) {
        socket.cork();
        socket.write(`${chunk.byteLength.toString(16)}\r\n`, 'latin1');
        socket.write(chunk);
        flowing = socket.write('\r\n', 'latin1');
        socket.uncork();
      } else flowing = socket.write(chunk);
      if (!flowing) await drained(socket);
    }
    if (chunked && !socket.destroyed) socket.write('0\r\n\r\n', 'latin1');
  } catch (error) {
    void reader.cancel(error).catch(() => {});
    throw error;
  }
}

function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
