// Colour for people, never for pipes: on when the stream is a terminal, off when NO_COLOR is
// set (no-color.org), forced either way by FORCE_COLOR (0/false: off; anything else: on).
const CODES = { red: 31, green: 32, yellow: 33, dim: 2 } as const;

export type Colour = keyof typeof CODES;
export type Paint = (colour: Colour, text: string) => string;

/** Whether to colour what goes to `stream`. */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

/** A painter for `stream`: text unchanged when colour is off. */
export function painter(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Paint {
  if (!useColour(stream, env)) return (_colour, text) => text;
  return (colour, text) => `\x1b[${CODES[colour]}m${text}\x1b[0m`;
}

/** Clears the current terminal line (progress lines); empty when colour and cursor codes are off. */
export function clearLine(stream: { isTTY?: boolean }): string {
  return stream.isTTY === true ? '\r\x1b[K' : '';
}
