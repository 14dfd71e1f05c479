/**
 * The HTTP transaction that the admission step builds for each request and
 * that rules (ACL fetches, `http-request` / `http-response` actions, variables)
 * read and rewrite. It is plain data, the same on every runtime: adapters fill
 * in what they know of the connection, the admission step owns the rest.
 */

/** What the adapter knows of the connection that carried the request. */
export interface ConnectionFacts {
  /** Client address as HAProxy's `src` shows it (an IPv4 client on a dual-stack socket as a.b.c.d). */
  readonly clientAddress: string;
  readonly clientPort?: number;
  /** Local address and port of the listener (`dst`, `dst_port`); unknown on Workers. */
  readonly localAddress?: string;
  readonly localPort?: number;
  /** Present when the client connection is TLS (`ssl_fc`); on Workers, for `https:` requests. */
  readonly tls?: TlsFacts;
  /** The client's HTTP version as HAProxy's `req.ver` gives it: `1.0`, `1.1`, `2.0`. */
  readonly httpVersion: string;
}

export interface TlsFacts {
  /** `ssl_fc_sni`: the server name the client asked for, if any. */
  readonly sni?: string;
  /** `ssl_fc_alpn`: the protocol ALPN selected, if any (`h2`, `http/1.1`). */
  readonly alpn?: string;
  /** `ssl_fc_protocol`: `TLSv1.2`, `TLSv1.3`… */
  readonly protocol?: string;
}

/** A variable's value: HAProxy's sample types, narrowed to what rules produce here. */
export type VarValue = string | number | boolean;

/** Variable scopes as HAProxy names them (`txn.name`, `req.name`…). */
export type VarScope = 'proc' | 'sess' | 'txn' | 'req' | 'res';

/** The request side, as rewritten by the rules so far. */
export interface RequestState {
  method: string;
  /** The request-target as received (origin or absolute form), rewritten by set-path/set-uri… */
  target: string;
  /** Header lines in order, duplicates kept (names as received). */
  headers: [string, string][];
}

export interface ResponseState {
  status: number;
  /** Reason phrase, when a rule set one (`set-status N reason R`). */
  reason?: string;
  headers: [string, string][];
}

export interface HttpTransaction {
  readonly conn: ConnectionFacts;
  readonly request: RequestState;
  /** Set once the server (or the balancer) has answered; `http-response` rules rewrite it. */
  response?: ResponseState;
  /** Name of the frontend that accepted the request. */
  readonly frontend: string;
  /** Name of the backend once chosen (`be_name`). */
  backend?: string;
  /** Name of the server once chosen (`%s`). */
  server?: string;
  /** `unique-id-format`'s value, computed once per request (`%ID`, `unique-id`). */
  uniqueId?: string;
  /** `%rt`: the request's number among those the process received. */
  readonly requestCounter?: number;
  /** `txn.`, `req.` and `res.` variables (keys include the scope: `txn.name`); `sess.`/`proc.` live elsewhere. */
  readonly vars: Map<string, VarValue>;
  /** `capture request header` / `http-request capture` values, for the access log. */
  readonly captures: string[];
}

/**
 * The transaction the admission step opens for a request. Its variables'
 * map is made when a rule first reads or sets one: most requests have none.
 */
export class RequestTransaction implements HttpTransaction {
  readonly conn: ConnectionFacts;
  readonly request: RequestState;
  readonly frontend: string;
  response?: ResponseState;
  backend?: string;
  server?: string;
  uniqueId?: string;
  readonly captures: string[] = [];
  #vars: Map<string, VarValue> | undefined;

  constructor(conn: ConnectionFacts, request: RequestState, frontend: string) {
    this.conn = conn;
    this.request = request;
    this.frontend = frontend;
  }

  get vars(): Map<string, VarValue> {
    return (this.#vars ??= new Map());
  }
}
