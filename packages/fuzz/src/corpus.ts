// The novelty corpus: sequences that showed behaviour signatures never seen before. They are
// what mutation starts from. Entries are only appended, in generation order, so the part of
// the corpus a batch may draw from is fixed by batch numbers, never by timing.
import type { Seq } from './seq';

export interface CorpusEntry {
  /** Generation index of the sequence in its campaign. */
  readonly index: number;
  readonly seq: Seq;
  /** Signatures it showed first. */
  readonly newSignatures: readonly string[];
  /** How it was made: `gen` or the mutations applied. */
  readonly origin: string;
}

export class Corpus {
  private readonly entries: CorpusEntry[] = [];
  /** Corpus size after each batch was processed. */
  private readonly marks: number[] = [];

  get size(): number {
    return this.entries.length;
  }

  add(e: CorpusEntry): void {
    this.entries.push(e);
  }

  /** Records that batch `b` is fully processed. */
  mark(b: number): void {
    this.marks[b] = this.entries.length;
  }

  /** How many entries batch `b` may draw from, given `lag` batches in flight before it. */
  visible(b: number, lag: number): number {
    const at = b - lag;
    return at < 0 ? 0 : (this.marks[at] ?? 0);
  }

  at(i: number): CorpusEntry {
    return this.entries[i];
  }

  all(): readonly CorpusEntry[] {
    return this.entries;
  }
}
