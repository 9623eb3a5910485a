import type { Prisma } from '../db/database.ts';

/** Enough for every chat touched in a busy day of a large study; about 150 bytes each. */
const DEFAULT_CAPACITY = 50_000;

/**
 * Who owns which chat, remembered. A chat never changes owner and is never deleted by Parley, so an
 * owner once read stays true; the ownership check on every frame then costs a map lookup instead of
 * a query (the write path's profile showed each query's fixed cost dominating, docs/performance.md).
 * Only found chats are remembered: unknown ids cannot fill the cache. Bounded: the oldest entry goes.
 */
export class ChatOwners {
  readonly #owners = new Map<string, string>();

  constructor(
    private readonly prisma: Prisma,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  remember(chatId: string, userId: string): void {
    if (this.#owners.has(chatId)) return;
    if (this.#owners.size >= this.capacity) this.#owners.delete(this.#owners.keys().next().value!);
    this.#owners.set(chatId, userId);
  }

  /** A chat found missing after all (deleted outside Parley): ask the database next time. */
  forget(chatId: string): void {
    this.#owners.delete(chatId);
  }

  /** The owner of each chat (null: no such chat), with one query for those not yet known. */
  async lookup(chatIds: readonly string[]): Promise<Map<string, string | null>> {
    const missing = [...new Set(chatIds.filter((id) => !this.#owners.has(id)))];
    if (missing.length > 0) {
      const rows = await this.prisma.chat.findMany({ where: { id: { in: missing } }, select: { id: true, userId: true } });
      for (const row of rows) this.remember(row.id, row.userId);
    }
    return new Map(chatIds.map((id) => [id, this.#owners.get(id) ?? null]));
  }

  async owns(userId: string, chatId: string): Promise<boolean> {
    return (await this.lookup([chatId])).get(chatId) === userId;
  }

  get size(): number {
    return this.#owners.size;
  }
}
