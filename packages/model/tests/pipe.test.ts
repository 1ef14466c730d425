import { kernelDisagreements, model } from './helpers';

describe('pipes', () => {
  test('the write end is writable while a page slot is free, however full the pages', () => {
    const writes = Array.from({ length: 16 }, () => 'write w 4096').join('\n');
    const m = model(`pipe r w\nepoll e\nadd e w OUT\n${writes}\nwait e\nwrite w "a"`);
    expect(m.ready(19)).toBe('none');
    expect(m.result(20)).toBe('EAGAIN');
  });

  test('a small write joins the last page when it fits: 16 one-byte writes take one slot', () => {
    const writes = Array.from({ length: 16 }, () => 'write w "a"').join('\n');
    const m = model(`pipe r w\n${writes}\nfill w`);
    expect(m.rules(2)).toContain('pipe.write-merge');
    expect(m.result(17)).toBe(String(15 * 4096));
  });

  test('fill takes whole pages (a 1 MiB write never merges)', () => {
    expect(model('pipe r w\nfill w').result(1)).toBe('65536');
    expect(model('pipe r w\nwrite w "a"\nfill w').result(2)).toBe(String(15 * 4096));
  });

  test('a read that frees no slot leaves a full pipe unwritable', () => {
    const m = model('pipe r w\nfill w\nread r 1\nwrite w "a"\nread r 4095\nwrite w "a"');
    expect(m.result(3)).toBe('EAGAIN');
    expect(m.result(5)).toBe('1');
  });

  test('no reader: EPIPE, and the write end reports ERR', () => {
    const m = model('pipe r w\nepoll e\nadd e w OUT\nclose r\nwrite w "a"\nwait e');
    expect(m.result(4)).toBe('EPIPE');
    expect(m.ready(5)).toBe('w: OUT|ERR');
  });

  test('a write of 0 bytes returns 0 even with no reader', () => {
    expect(model('pipe r w\nclose r\nwrite w ""').result(2)).toBe('0');
  });

  test('no writer: the data is still read, then end of file; the read end reports HUP', () => {
    const m = model('pipe r w\nepoll e\nadd e r IN\nwrite w "a"\nclose w\nwait e\nread r\nread r\nwait e');
    expect(m.ready(5)).toBe('r: IN|HUP');
    expect([m.result(6), m.result(7)]).toEqual(['"a"', '""']);
    expect(m.ready(8)).toBe('r: HUP');
  });

  test('each end is open one way: the other is EBADF', () => {
    const m = model('pipe r w\nwrite r "a"\nread w 1');
    expect([m.result(1), m.result(2)]).toEqual(['EBADF', 'EBADF']);
  });

  test('once polled, every write wakes the read end: an edge-triggered reader is reported again', () => {
    const m = model('pipe r w\nepoll e\nadd e r IN|ET\nwrite w "a"\nwait e\nwrite w "b"\nwait e');
    expect(m.ready(4)).toBe('r: IN');
    expect(m.ready(6)).toBe('r: IN');
  });
});

test('every scenario above gives the same answers on the kernel', async () => {
  expect(await kernelDisagreements()).toEqual([]);
});
