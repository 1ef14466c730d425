import { Corpus } from '../src/corpus';
import { generateMany } from '../src/generate';

describe('Corpus', () => {
  it('lets batch b draw only from entries judged `lag` batches before it', () => {
    const c = new Corpus();
    const seqs = generateMany('corpus', 3);
    expect(c.visible(0, 2)).toBe(0);
    c.add({ index: 4, seq: seqs[0], newSignatures: ['pipe 0'], origin: 'gen' });
    c.mark(0);
    c.add({ index: 600, seq: seqs[1], newSignatures: ['read EAGAIN'], origin: 'gen' });
    c.mark(1);
    // Batch 2 with two batches in flight sees what batch 0 left, not what batch 1 added since.
    expect(c.visible(2, 2)).toBe(1);
    expect(c.visible(3, 2)).toBe(2);
    // A batch not yet judged marks nothing: nothing after it is visible from it.
    c.add({ index: 1100, seq: seqs[2], newSignatures: ['wait 1 IN'], origin: 'insert of #4' });
    expect(c.visible(4, 2)).toBe(0);
    expect(c.size).toBe(3);
    expect(c.at(1).index).toBe(600);
    expect(c.all().map((e) => e.index)).toEqual([4, 600, 1100]);
  });
});
