/**
 * Listening sockets that can stop accepting, as HAProxy does at `maxconn`: it
 * stops polling the listening socket, so new clients wait in the kernel's
 * listen queue (connected, not refused, not reset) and are accepted once a
 * connection closes.
 *
 * Node has no public way to do this. The options measured (Node 20, libuv 1.46):
 * - `server.maxConnections` accepts and closes at once: clients see a reset.
 * - Closing the listening socket and opening it again resets the clients
 *   already queued, and Node cannot duplicate a descriptor to keep it open.
 * - Accepting and holding sockets unread costs a descriptor each, so the hold
 *   must be bounded, and past the bound clients are closed again.
 * - libuv stops polling a stream in `uv_read_stop()` (`readStop()` on the
 *   handle), and since libuv 1.45 accepts one connection per poll event, so a
 *   stop in the 'connection' event takes effect before the next accept. But
 *   `uv_read_start()` refuses (ENOTCONN) a socket that was only bound: libuv
 *   marks a stream readable when it is *opened* from a descriptor. So the
 *   socket is bound here through Node's `tcp_wrap` binding and then opened on
 *   its own descriptor (`uv_tcp_open`, one owner, nothing duplicated), and the
 *   http server listens on that handle: `readStart()`+`readStop()` pause
 *   accepting, `readStart()` resumes. This is the one that keeps waiting
 *   clients waiting; test/node/connection-limits.test.ts measures it.
 * Where the binding is missing (Windows, another runtime) the server listens
 * as usual and `pausable` is false.
 */
import cluster from 'node:cluster';
import { lookup } from 'node:dns/promises';
import type { Server } from 'node:net';
import { isIP, isIPv6 } from 'node:net';
import { getSystemErrorMap, getSystemErrorName } from 'node:util';

/** The part of Node's TCP handle used here (src/tcp_wrap.cc, src/stream_base.cc). */
interface TcpHandle {
  readonly fd: number;
  bind(address: string, port: number): number;
  bind6(address: string, port: number, flags: number): number;
  open(fd: number): number;
  readStart(): number;
  readStop(): number;
  close(): void;
}
interface TcpWrapBinding {
  TCP: new (type: number) => TcpHandle;
  constants: { SERVER: number };
}

export interface PausableListen {
  readonly port: number;
  /** False where accepting cannot be paused (the limit is then not enforced). */
  readonly pausable: boolean;
}

// A cluster worker (`nbthread`) listens through the primary, which binds the
// address once for all workers: a socket bound here would be this worker's
// alone, and the next worker's bind would fail (EADDRINUSE).
const tcpWrap = cluster.isWorker ? undefined : loadTcpWrap();

/** `server.listen(port, host)`, through a handle whose accepting `setAccepting` can pause. */
export async function listenPausable(server: Server, host: string, port: number): Promise<PausableListen> {
  const handle = tcpWrap ? await openListeningHandle(host, port) : undefined;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      resolve();
    };
    if (handle) server.listen(handle, listening);
    else server.listen(port, host, listening);
  });
  return { port: (server.address() as { port: number }).port, pausable: handle !== undefined };
}

/** Stops or restarts accepting on a server opened by `listenPausable`. */
export function setAccepting(server: Server, accepting: boolean): void {
  const handle = (server as Server & { _handle?: TcpHandle | null })._handle;
  if (!handle) return;
  // readStart() first: readStop() only acts on a stream marked as reading.
  handle.readStart();
  if (!accepting) handle.readStop();
}

async function openListeningHandle(host: string, port: number): Promise<TcpHandle | undefined> {
  const address = isIP(host) ? host : (await lookup(host)).address;
  const handle = new tcpWrap!.TCP(tcpWrap!.constants.SERVER);
  const bound = isIPv6(address) ? handle.bind6(address, port, 0) : handle.bind(address, port);
  if (bound !== 0) {
    handle.close();
    throw listenError(bound, address, port);
  }
  // Opened on its own descriptor: libuv marks it readable, so readStop() works.
  if (handle.open(handle.fd) !== 0) {
    handle.close();
    return undefined;
  }
  return handle;
}

function loadTcpWrap(): TcpWrapBinding | undefined {
  if (process.platform === 'win32') return undefined;
  try {
    const binding = (process as unknown as { binding(name: string): TcpWrapBinding }).binding('tcp_wrap');
    return typeof binding.TCP === 'function' && typeof binding.TCP.prototype.readStop === 'function' ? binding : undefined;
  } catch {
    return undefined;
  }
}

/** The error `server.listen()` would have raised, e.g. `listen EADDRINUSE: address already in use 127.0.0.1:8080`. */
function listenError(errno: number, address: string, port: number): Error {
  const code = getSystemErrorName(errno);
  const description = getSystemErrorMap().get(errno)?.[1] ?? code;
  return Object.assign(new Error(`listen ${code}: ${description} ${address}:${port}`), { code, errno, syscall: 'listen', address, port });
}
