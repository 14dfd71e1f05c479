/** Free loopback ports and waiting for a listener, with bounded retries. */
import { createServer, connect } from 'node:net';

/** A port that was free a moment ago (the OS picks it; we release it for the caller). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

/** Resolves when 127.0.0.1:port accepts a connection; gives up after `attempts` tries or when `gaveUp()`. */
export async function waitForPort(port: number, gaveUp: () => boolean = () => false, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (gaveUp()) throw new Error(`process exited before port ${port} was open`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => (socket.destroy(), resolve(false)));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`port ${port} did not open`);
}
