/**
 * The demo apps' live feed: a minimal WebSocket endpoint (RFC 6455, text
 * frames out, close and ping answered) that sends a line naming the server
 * every second, so a page shows that its WebSocket went through the balancer
 * to the same sticky server. Hand-written to keep the demo free of
 * dependencies; the tests use the real `ws` package.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const head = length < 126 ? Buffer.from([0x80 | opcode, length]) : Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff]);
  return Buffer.concat([head, payload]);
}

/** Reads the client's (masked) frames far enough to answer ping and close. */
function onClientFrames(socket: Socket, stop: () => void): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 6) {
      const opcode = buffered[0]! & 0x0f;
      let length = buffered[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) return void socket.destroy();
      if (buffered.length < offset + 4 + length) return;
      const mask = buffered.subarray(offset, offset + 4);
      const payload = Buffer.from(buffered.subarray(offset + 4, offset + 4 + length).map((b, i) => b ^ mask[i % 4]!));
      buffered = buffered.subarray(offset + 4 + length);
      if (opcode === 0x8) {
        stop();
        return void socket.end(frame(0x8, payload.subarray(0, 2)));
      }
      if (opcode === 0x9) socket.write(frame(0xa, payload));
    }
  });
}

/** Accepts a WebSocket upgrade on `socket` and starts the feed; `line()` says what to send each second. */
export function serveLiveFeed(request: IncomingMessage, socket: Socket, line: () => string): void {
  const key = request.headers['sec-websocket-key'];
  if (typeof key !== 'string' || request.headers.upgrade?.toLowerCase() !== 'websocket') return void socket.destroy();
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  const send = () => socket.writable && socket.write(frame(0x1, Buffer.from(line())));
  send();
  const timer = setInterval(send, 1000);
  const stop = () => clearInterval(timer);
  socket.once('close', stop);
  socket.on('error', () => socket.destroy());
  onClientFrames(socket, stop);
}
