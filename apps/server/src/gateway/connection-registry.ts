import type { ServerFrame } from '@parley/protocol';
import type { ClientConnection } from './client-connection.ts';

/** Open sockets by user: the only path by which a frame reaches a socket, so it reaches only its owner. */
export class ConnectionRegistry {
  readonly #byUser = new Map<string, Set<ClientConnection>>();
  #count = 0;

  add(connection: ClientConnection): void {
    let set = this.#byUser.get(connection.userId);
    if (!set) this.#byUser.set(connection.userId, (set = new Set()));
    set.add(connection);
    this.#count += 1;
  }

  remove(connection: ClientConnection): void {
    const set = this.#byUser.get(connection.userId);
    if (!set?.delete(connection)) return;
    this.#count -= 1;
    if (set.size === 0) this.#byUser.delete(connection.userId);
  }

  get size(): number {
    return this.#count;
  }

  *all(): Iterable<ClientConnection> {
    for (const set of this.#byUser.values()) yield* set;
  }

  /** Sends one frame to every socket of a user, optionally skipping one (the sender). */
  sendToUser(userId: string, frame: ServerFrame, exceptConnectionId?: string): void {
    if (this.#byUser.has(userId)) this.sendRawToUser(userId, JSON.stringify(frame), exceptConnectionId);
  }

  /** The same for a frame already serialised (fan-out from another instance). */
  sendRawToUser(userId: string, data: string, exceptConnectionId?: string): void {
    const set = this.#byUser.get(userId);
    if (!set) return;
    for (const connection of set) {
      if (connection.id !== exceptConnectionId) connection.sendRaw(data);
    }
  }

  forSession(sessionId: string): ClientConnection[] {
    return [...this.all()].filter((c) => c.sessionId === sessionId);
  }
}
