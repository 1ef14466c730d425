import { clearLine, painter, useColour } from '../src/colour';

describe('useColour', () => {
  it('colours a terminal, never a pipe or a file', () => {
    expect(useColour({ isTTY: true }, {})).toBe(true);
    expect(useColour({ isTTY: false }, {})).toBe(false);
    expect(useColour({}, {})).toBe(false);
  });
  it('NO_COLOR turns it off; FORCE_COLOR forces it either way', () => {
    expect(useColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColour({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(useColour({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColour({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColour({ isTTY: true }, { FORCE_COLOR: 'false' })).toBe(false);
  });
});

describe('painter', () => {
  it('wraps text in the colour code, or leaves it alone', () => {
    expect(painter({ isTTY: true }, {})('red', 'FAIL')).toBe('\x1b[31mFAIL\x1b[0m');
    expect(painter({ isTTY: true }, { NO_COLOR: 'x' })('red', 'FAIL')).toBe('FAIL');
  });
  it('clears a terminal line, and writes nothing to a pipe', () => {
    expect(clearLine({ isTTY: true })).toBe('\r\x1b[K');
    expect(clearLine({ isTTY: false })).toBe('');
  });
});
