// Buffers of finished batches, packed into again. Fresh memory costs the worker that fills it a
// page fault per 4 KiB: a run reuses a few buffers instead of allocating one per batch.
import type { Allocate } from '@epl/executor';
import type { BatchReply } from './protocol';

/** Spare buffers kept per kind: about the batches in flight. */
const MAX_SPARES = 8;

export class Spares {
  private readonly code: ArrayBuffer[] = [];
  private readonly strings: ArrayBuffer[] = [];
  private readonly meta: ArrayBuffer[] = [];
  private readonly replies: ArrayBuffer[] = [];

  /** Keeps a reply's memory once nothing reads it any more. */
  keepReply(buffer: ArrayBuffer): void {
    if (this.replies.length < MAX_SPARES) this.replies.push(buffer);
  }

  /** Memory for a worker to write a batch's results into, if there is some to spare. */
  takeReply(): Uint8Array | undefined {
    const b = this.replies.pop();
    return b === undefined ? undefined : new Uint8Array(b);
  }

  /** Keeps the arrays a reply handed back. */
  keep(reply: BatchReply): void {
    const spent = reply.spent;
    if (!spent) return;
    if (this.code.length < MAX_SPARES) this.code.push(spent.code.buffer as ArrayBuffer);
    if (this.strings.length < MAX_SPARES) this.strings.push(spent.strings.buffer as ArrayBuffer);
    if (this.meta.length < MAX_SPARES) this.meta.push(spent.meta.buffer as ArrayBuffer);
  }

  /** packBatch's allocator: a spare buffer when one is big enough, else a new one with room to spare. */
  readonly allocate: Allocate = (kind, bytes) => {
    const list = this[kind];
    for (let i = list.length - 1; i >= 0; i--) {
      const b = list[i];
      if (b.byteLength >= bytes) {
        list[i] = list[list.length - 1];
        list.pop();
        return b;
      }
    }
    return new ArrayBuffer(bytes + (bytes >> 2));
  };
}
