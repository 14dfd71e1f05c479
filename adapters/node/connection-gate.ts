/**
 * Counts the client connections of every listener and stops accepting at the
 * limits, as HAProxy does: a listener pauses while the process is at its
 * global `maxconn` or its frontend at the frontend's `maxconn`, and resumes as
 * soon as a connection closes below both. Waiting clients stay in the kernel's
 * listen queue (see pausable-listen.ts). Health checks and server connections
 * are not counted, as in HAProxy; the budget left descriptors for them.
 */
import cluster from 'node:cluster';
import type { Server, Socket } from 'node:net';
import type { Config } from '../../src/config/types.ts';
import type { Logger } from '../../src/deps.ts';
import { planConnectionBudget, type ConnectionBudget } from './connection-budget.ts';
import { readDescriptorUse, type DescriptorUse } from './descriptor-limit.ts';
import { setAccepting } from './pausable-listen.ts';

interface GatedListener {
  readonly server: Server;
  frontend: string;
  open: number;
  paused: boolean;
}

export class ConnectionGate {
  #budget: ConnectionBudget;
  readonly #logger: Logger;
  /** Client connections open over every listener, closing ones included (HAProxy's `actconn`). */
  #active = 0;
  readonly #listeners = new Set<GatedListener>();
  /** Limits already reported: the log says it once, not at every connection. */
  readonly #reported = new Set<string>();

  /** Descriptors as found before any listener opened: what a reload's budget starts from too. */
  readonly #descriptors: DescriptorUse;

  constructor(config: Config, logger: Logger, descriptors: DescriptorUse = readDescriptorUse()) {
    this.#logger = logger;
    this.#descriptors = descriptors;
    this.#budget = this.#plan(config);
  }

  get budget(): ConnectionBudget {
    return this.#budget;
  }

  /** New limits (a reload); listeners pause or resume at once. */
  reconfigure(config: Config): void {
    this.#budget = this.#plan(config);
    this.#apply();
  }

  #plan(config: Config): ConnectionBudget {
    const budget = planConnectionBudget(config, this.#descriptors);
    for (const warning of budget.warnings) this.#logger.warn(warning);
    if (budget.note) this.#logger.info(budget.note);
    return budget;
  }

  /**
   * Counts `server`'s connections under `frontend`. Returns a function that
   * renames the frontend (a reload) and one that stops counting (closed).
   * `pausable` false: the platform cannot pause accepting, which is said once.
   */
  attach(server: Server, frontend: string, pausable: boolean): { rename(frontend: string): void; detach(): void } {
    if (!pausable && !this.#reported.has('unpausable')) {
      this.#reported.add('unpausable');
      const why = cluster.isWorker ? 'worker processes (nbthread) share the listening sockets' : `Node cannot pause accepting connections on this platform (${process.platform})`;
      this.#logger.warn(`maxconn is not enforced: ${why}`);
    }
    const listener: GatedListener = { server, frontend, open: 0, paused: false };
    this.#listeners.add(listener);
    // First, so the pause happens inside the accept, before libuv polls again.
    server.prependListener('connection', (socket: Socket) => {
      listener.open++;
      this.#active++;
      socket.once('close', () => {
        listener.open--;
        this.#active--;
        this.#apply();
      });
      this.#apply();
    });
    return {
      rename: (name) => {
        listener.frontend = name;
        this.#apply();
      },
      detach: () => void this.#listeners.delete(listener),
    };
  }

  #apply(): void {
    const perFrontend = new Map<string, number>();
    for (const l of this.#listeners) perFrontend.set(l.frontend, (perFrontend.get(l.frontend) ?? 0) + l.open);
    const globalFull = this.#active >= this.#budget.global;
    for (const listener of this.#listeners) {
      const limit = this.#budget.frontends.get(listener.frontend) ?? this.#budget.global;
      const frontendFull = (perFrontend.get(listener.frontend) ?? 0) >= limit;
      const full = globalFull || frontendFull;
      if (full !== listener.paused && listener.server.listening) {
        listener.paused = full;
        setAccepting(listener.server, !full);
      }
      if (full) this.#reportOnce(listener.frontend, globalFull ? undefined : limit);
    }
  }

  #reportOnce(frontend: string, frontendLimit: number | undefined): void {
    const key = frontendLimit === undefined ? '' : frontend;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    // HAProxy logs nothing when maxconn pauses a listener; these words follow
    // its message for the neighbouring case (sock.c, descriptor above maxsock).
    this.#logger.warn(
      frontendLimit === undefined
        ? `Proxy ${frontend} reached the configured maximum connection limit (global maxconn ${this.#budget.global}). Please check the global 'maxconn' value. New connections wait in the listen queue until one closes (logged once).`
        : `Proxy ${frontend} reached its maxconn (${frontendLimit}). New connections wait in the listen queue until one closes (logged once).`,
    );
  }
}
