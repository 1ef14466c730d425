// The results of one run, as an async iterator written by hand: a result already there is handed
// out as a resolved promise, without an async generator's extra await per item. A view handed
// out stays valid until the next call of next() (or return()): then the memory of a batch whose
// every result was handed out goes back to be written into again.
import type { Ran } from './ran';

interface Group {
  left: number;
  readonly release?: () => void;
}

type Waiter = { resolve(r: IteratorResult<Ran>): void; reject(e: unknown): void };

export class ResultStream implements AsyncIterableIterator<Ran> {
  private items: Ran[] = [];
  private head = 0;
  private readonly groups: Group[] = [];
  private released: (() => void)[] = [];
  private delivered = 0;
  private failed = false;
  private failure: unknown;
  private started = false;
  private readonly waiting: Waiter[] = [];

  /**
   * `start` begins the run; `taken` is called whenever the consumer took a result (room for more).
   */
  constructor(
    private readonly total: number,
    private readonly start: () => void,
    private readonly taken: () => void = () => undefined,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Results received but not handed out yet. */
  get buffered(): number {
    return this.items.length - this.head;
  }

  /** Whether the consumer stopped or took every result. */
  get finished(): boolean {
    return this.delivered >= this.total;
  }

  next(): Promise<IteratorResult<Ran>> {
    this.release();
    if (!this.started) {
      this.started = true;
      this.start();
    }
    if (this.delivered >= this.total) return Promise.resolve({ value: undefined, done: true });
    if (this.head < this.items.length) return Promise.resolve({ value: this.take(), done: false });
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on the run's failure unchanged
    if (this.failed) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<Ran>> {
    // The consumer stopped: what is still running completes unseen, nothing more starts.
    this.delivered = this.total;
    this.items = [];
    this.head = 0;
    for (const g of this.groups.splice(0)) if (g.release) this.released.push(g.release);
    this.release();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Results of one batch; `release` runs once the consumer has moved past all of them. */
  push(items: readonly Ran[], release?: () => void): void {
    if (this.delivered >= this.total || items.length === 0) {
      release?.();
      return;
    }
    for (const it of items) this.items.push(it);
    this.groups.push({ left: items.length, release });
    while (this.waiting.length > 0 && this.head < this.items.length) this.waiting.shift()!.resolve({ value: this.take(), done: false });
  }

  fail(e: unknown): void {
    this.failed = true;
    this.failure = e;
    // Results already there go first; a consumer waiting for more learns of the failure now.
    while (this.waiting.length > 0) this.waiting.shift()!.reject(e);
  }

  private take(): Ran {
    const item = this.items[this.head++];
    this.delivered++;
    const g = this.groups[0];
    if (--g.left === 0) {
      this.groups.shift();
      if (g.release) this.released.push(g.release);
    }
    // Drop delivered results from the queue, so the queue never keeps a run's results alive.
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.delivered >= this.total) while (this.waiting.length > 0) this.waiting.shift()!.resolve({ value: undefined, done: true });
    this.taken();
    return item;
  }

  private release(): void {
    if (this.released.length === 0) return;
    const list = this.released;
    this.released = [];
    for (const r of list) r();
  }
}
