/** One caller waiting for its item to be committed. */
export interface Pending<I, O> {
  readonly item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items submitted while the event loop is busy are written together, by one `flush`
 * at a time, in the order they were submitted. A lone item is flushed on the next turn of the loop
 * (setImmediate), so it waits for nothing; under load, whatever arrived during the previous flush
 * forms the next batch, so one transaction's fixed cost is shared by many items.
 *
 * `flush` must settle every pending item of its batch (resolve or reject each one).
 */
export class GroupCommit<I, O> {
  #queue: Pending<I, O>[] = [];
  #flushing = false;
  #scheduled = false;

  constructor(
    private readonly flush: (batch: Pending<I, O>[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Items submitted and not yet settled. */
  get backlog(): number {
    return this.#queue.length;
  }

  #schedule(): void {
    if (this.#flushing || this.#scheduled) return;
    this.#scheduled = true;
    // After the current I/O callbacks: frames read in this turn of the loop join the batch.
    setImmediate(() => void this.#run());
  }

  async #run(): Promise<void> {
    this.#scheduled = false;
    this.#flushing = true;
    const batch = this.#queue.splice(0, this.maxBatch);
    try {
      await this.flush(batch);
    } catch (err) {
      // A flush that breaks its contract still must not leave callers hanging.
      for (const pending of batch) pending.reject(err);
    } finally {
      this.#flushing = false;
      if (this.#queue.length > 0) this.#schedule();
    }
  }
}
