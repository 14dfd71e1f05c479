/**
 * The clients of the TLS tests, one per thing observed: a bare handshake
 * (which certificate, which protocol, which ALPN), an HTTPS/1.1 request and
 * an HTTP/2 session. All trust the test CA and connect to 127.0.0.1 with the
 * SNI asked for.
 */
import { request as http1Request, type RequestOptions } from 'node:https';
import { connect as http2Connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { connect as tlsConnect, type SecureVersion } from 'node:tls';

export interface Handshake {
  readonly ok: boolean;
  /** CN of the certificate presented. */
  readonly subject?: string;
  readonly alpn?: string | false | null;
  readonly protocol?: string | null;
}

export interface HandshakeOptions {
  readonly servername?: string;
  readonly alpn?: string[];
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
}

/** Does a handshake and closes; `ok: false` when the server refused it. */
export function handshake(port: number, options: HandshakeOptions = {}): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      rejectUnauthorized: false,
      ...(options.servername ? { servername: options.servername } : {}),
      ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
      ...(options.minVersion ? { minVersion: options.minVersion } : {}),
      ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
      // TLSv1.0/1.1 clients need OpenSSL 3's security level 0 to even offer them.
      ...(options.maxVersion === 'TLSv1' || options.maxVersion === 'TLSv1.1' ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
    });
    socket.once('secureConnect', () => {
      const subject = socket.getPeerCertificate().subject?.CN;
      resolve({ ok: true, subject: Array.isArray(subject) ? subject[0] : subject, alpn: socket.alpnProtocol, protocol: socket.getProtocol() });
      socket.destroy();
    });
    socket.once('error', () => resolve({ ok: false }));
    socket.once('close', () => resolve({ ok: false }));
  });
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTPS/1.1 request on a connection of its own (ALPN offers `http/1.1` only). */
export function httpsGet(port: number, path: string, options: { servername?: string; ca: string; headers?: Record<string, string> }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const tlsOptions: RequestOptions & { ALPNProtocols: string[] } = {
        host: '127.0.0.1',
        port,
        path,
        agent: false,
        ca: options.ca,
        servername: options.servername ?? 'a.test',
        ALPNProtocols: ['http/1.1'],
        checkServerIdentity: () => undefined,
        headers: { host: options.servername ?? 'a.test', ...options.headers },
    };
    const request = http1Request(
      tlsOptions,
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** An HTTP/2 session (ALPN `h2`) to the TLS port. */
export function http2Session(port: number, ca: string, servername = 'a.test'): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(`https://${servername}:${port}`, {
      ca,
      servername,
      checkServerIdentity: () => undefined,
      createConnection: () => tlsConnect({ host: '127.0.0.1', port, servername, ca, ALPNProtocols: ['h2'], checkServerIdentity: () => undefined }),
    });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

/** One request on `session`; `body` is sent when given. */
export function http2Request(session: ClientHttp2Session, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': body ? 'POST' : 'GET', ...headers });
    let received = '';
    let head: IncomingHttpHeaders = {};
    stream.setEncoding('utf8');
    stream.on('response', (h) => (head = h));
    stream.on('data', (chunk: string) => (received += chunk));
    stream.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: received }));
    stream.on('error', reject);
    stream.end(body);
  });
}

export interface Resumption {
  /** The server accepted the ticket offered (an abbreviated handshake). */
  readonly reused: boolean;
  /** Session tickets (NewSessionTicket messages) the server sent on this connection. */
  readonly tickets: number;
}

/**
 * One connection offering `session` (a ticket), with one HTTP/1.1 request
 * (`Connection: close`) read to the end, so that the tickets the server sends
 * after the handshake arrive; `last` is the last of them.
 */
export function resumeOnce(port: number, session: Buffer | undefined, options: HandshakeOptions = {}): Promise<Resumption & { last?: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
      ...(options.servername ? { servername: options.servername } : {}),
      ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
      ...(session ? { session } : {}),
    });
    let tickets = 0;
    let reused = false;
    let last: Buffer | undefined;
    socket.on('session', (ticket: Buffer) => {
      tickets++;
      last = ticket;
    });
    socket.once('secureConnect', () => {
      reused = socket.isSessionReused();
      socket.end(`GET / HTTP/1.1\r\nhost: ${options.servername ?? 'a.test'}\r\nconnection: close\r\n\r\n`);
    });
    socket.resume();
    socket.once('error', reject);
    socket.once('close', () => resolve({ reused, tickets, ...(last ? { last } : {}) }));
  });
}

/** `connections` connections in a row, each offering the last ticket the previous one received, as a browser does. */
export async function resumeInARow(port: number, connections: number, options: HandshakeOptions = {}): Promise<Resumption[]> {
  const results: Resumption[] = [];
  let session: Buffer | undefined;
  for (let i = 0; i < connections; i++) {
    const { last, ...result } = await resumeOnce(port, session, options);
    if (last) session = last;
    results.push(result);
  }
  return results;
}
