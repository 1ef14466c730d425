// A batch: Programs packed back to back into three typed arrays, as one native call runs them
// (src/native/batch.h). The pool's workers and lanes take the same layout.
import { FAMILIES, FAMILY_CODE, type Family, type ProgramCode } from '@epl/program';

/**
 * Words per Program in PackedBatch.meta: code offset and length (words), string offset and
 * length (bytes), slot count, family code. nativeInfo().batchMetaWords must equal it.
 */
export const BATCH_META_WORDS = 6;

/** One Program of a batch and the family its `pair` takes. */
export interface BatchItem {
  readonly program: ProgramCode;
  readonly family: Family;
}

/** Programs packed back to back; transferable as three buffers. */
export interface PackedBatch {
  readonly code: Int32Array;
  readonly strings: Uint8Array;
  /** BATCH_META_WORDS per Program. */
  readonly meta: Int32Array;
}

/** Memory for a batch's arrays: at least `bytes` (a caller may hand out spare buffers). */
export type Allocate = (kind: 'code' | 'strings' | 'meta', bytes: number) => ArrayBuffer;

const fresh: Allocate = (_kind, bytes) => new ArrayBuffer(bytes);

/** The family code the native side takes; a TypeError for anything that is not a family. */
export function familyCode(family: Family): number {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- JavaScript callers can pass a non-string
  if (!FAMILIES.includes(family)) throw new TypeError(`unknown family '${String(family)}' (known: ${FAMILIES.join(', ')})`);
  return FAMILY_CODE[family];
}

/** Packs the executor's part of each item into one batch. */
export function packBatch(items: readonly BatchItem[], allocate: Allocate = fresh): PackedBatch {
  let words = 0;
  let bytes = 0;
  for (const { program } of items) {
    // A caller's type error is a TypeError here; a malformed Program is its results' error.
    if (!(program.code instanceof Int32Array)) throw new TypeError('code must be an Int32Array');
    if (!(program.strings instanceof Uint8Array)) throw new TypeError('strings must be a Uint8Array');
    if (!Number.isInteger(program.slotCount) || (program.slotCount | 0) !== program.slotCount)
      throw new TypeError('slotCount must be a whole number (a 32-bit int)');
    words += program.code.length;
    bytes += program.strings.length;
  }
  const metaWords = items.length * BATCH_META_WORDS;
  const code = new Int32Array(allocate('code', words * 4), 0, words);
  const strings = new Uint8Array(allocate('strings', bytes), 0, bytes);
  const meta = new Int32Array(allocate('meta', metaWords * 4), 0, metaWords);
  let w = 0;
  let b = 0;
  for (let k = 0, m = 0; k < items.length; k++, m += BATCH_META_WORDS) {
    const { program: p, family } = items[k];
    code.set(p.code, w);
    if (p.strings.length > 0) strings.set(p.strings, b);
    meta[m] = w;
    meta[m + 1] = p.code.length;
    meta[m + 2] = b;
    meta[m + 3] = p.strings.length;
    meta[m + 4] = p.slotCount;
    meta[m + 5] = familyCode(family);
    w += p.code.length;
    b += p.strings.length;
  }
  return { code, strings, meta };
}

/** Number of Programs in a batch. */
export function batchSize(batch: PackedBatch): number {
  return batch.meta.length / BATCH_META_WORDS;
}
