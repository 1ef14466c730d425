// `epl COMMAND …`: dispatch, help, and names that are not commands.
import { main } from '../src/main';
import { captureIo } from './commands/io';

describe('epl', () => {
  it('lists every command with its summary, and exits 2 when none is given', async () => {
    const io = captureIo();
    expect(await main([], io)).toBe(2);
    for (const name of ['check', 'run', 'record', 'fuzz', 'kernels', 'compare']) expect(io.out()).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    const help = captureIo();
    expect(await main(['--help'], help)).toBe(0);
    expect(help.out()).toBe(io.out());
  });

  it.each(['frob', 'constructor', 'toString', '__proto__', 'hasOwnProperty'])('calls %s an unknown command (exit 2), never an internal error', async (name) => {
    const io = captureIo();
    expect(await main([name, 'x.epl'], io)).toBe(2);
    expect(io.err()).toBe(`epl: unknown command '${name}' (known: check, run, record, explain, fuzz, kernels, compare)\n`);
    expect(io.out()).toBe('');
  });
});
