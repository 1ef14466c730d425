// A captured Io for command tests.
import type { Io } from '../../src/command';

export interface Captured extends Io {
  out(): string;
  err(): string;
}

export function captureIo(tty = false): Captured {
  let out = '';
  let err = '';
  const stream = (add: (s: string) => void) =>
    ({
      write(chunk: string | Uint8Array) {
        add(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
        return true;
      },
      isTTY: tty,
    }) as unknown as NodeJS.WritableStream & { isTTY?: boolean };
  return {
    stdout: stream((s) => (out += s)),
    stderr: stream((s) => (err += s)),
    out: () => out,
    err: () => err,
  };
}
