import { ERRNO } from '@epl/program';
import { bytesRead, count, either, fail, outcomeJson, value } from '../src/outcome';

describe('outcomes', () => {
  test('a count known exactly is a value; otherwise a range, with its low end as ret', () => {
    expect(count({ lo: 5, hi: 5 })).toEqual({ ret: 5, errno: 0 });
    expect(count({ lo: 1, hi: 9 })).toEqual({ ret: 1, errno: 0, range: { lo: 1, hi: 9 } });
    expect(bytesRead(null, { lo: 2, hi: 4 })).toEqual({ ret: 2, errno: 0, bytes: null, range: { lo: 2, hi: 4 } });
  });

  test('a failure is -1 with its errno; failures are shared', () => {
    expect(fail(ERRNO.EBADF)).toEqual({ ret: -1, errno: ERRNO.EBADF });
    expect(fail(ERRNO.EBADF)).toBe(fail(ERRNO.EBADF));
  });

  test('either keeps the first answer and lists the others', () => {
    const o = either(fail(ERRNO.EAGAIN), value(2));
    expect(o.errno).toBe(ERRNO.EAGAIN);
    expect(o.alt).toEqual([{ ret: 2, errno: 0 }]);
  });

  test('in JSON, errnos are names and bytes are latin1 text', () => {
    expect(outcomeJson(fail(ERRNO.EPIPE))).toEqual({ ret: -1, errno: 'EPIPE' });
    expect(outcomeJson(bytesRead(new Uint8Array([104, 0, 255]), { lo: 3, hi: 3 }))).toEqual({ ret: 3, bytes: 'h\u0000\u00ff' });
    expect(outcomeJson(either(fail(ERRNO.EAGAIN), value(2)))).toEqual({ ret: -1, errno: 'EAGAIN', alt: [{ ret: 2 }] });
  });
});
