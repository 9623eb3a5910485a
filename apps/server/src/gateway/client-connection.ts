import { randomUUID } from 'node:crypto';
import type { ServerFrame } from '@parley/protocol';
import type { WebSocket } from 'ws';

/**
 * One open socket of one user. Sends are dropped for a socket that stopped reading: once more than
 * `maxBufferedBytes` wait in its buffer it is terminated, so a stuck client cannot grow server memory
 * without bound. Nothing is lost by that: on reconnect the client resumes from the database and the
 * running reply's snapshot.
 */
export class ClientConnection {
  readonly id = randomUUID();
  /** Cleared on every heartbeat, set by the pong; a socket still clear at the next beat is dead. */
  alive = true;
  /** Frames are handled one after another per socket, in the order they arrived. */
  queue: Promise<void> = Promise.resolve();
  /** Frames received and not yet handled: bounded, so a client cannot queue memory faster than it is served. */
  queued = 0;

  constructor(
    readonly socket: WebSocket,
    readonly userId: string,
    readonly sessionId: string,
    private readonly maxBufferedBytes: number,
    private readonly onOverflow: (connection: ClientConnection) => void,
  ) {}

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  send(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  /** For fan-out: the caller serialises a frame once and hands the same string to every socket. */
  sendRaw(data: string): void {
    if (!this.open) return;
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.onOverflow(this);
      this.socket.terminate();
      return;
    }
    this.socket.send(data);
  }
}
