// Reading an .epl file: the one way every command gets a file's text. A file is UTF-8; a byte
// that is not is refused with a located error naming it, never replaced by U+FFFD (which would
// write `ef bf bd` where the file had `ff`, and make later errors name U+FFFD).
import { readFileSync } from 'node:fs';
import { SourceError, locate } from '@epl/program';

// ignoreBOM keeps a byte order mark in the text: the lexer skips it, `record` writes it back.
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/** The text of the .epl file at `path`. Throws SourceError for invalid UTF-8, or the fs error when it cannot be read. */
export function readSource(path: string): string {
  return decodeSource(readFileSync(path), path);
}

/** The text of an .epl file's bytes (`file` names it in errors). Throws SourceError for invalid UTF-8. */
export function decodeSource(bytes: Uint8Array, file: string): string {
  try {
    return strict.decode(bytes);
  } catch {
    throw invalidUtf8(bytes, file);
  }
}

function invalidUtf8(bytes: Uint8Array, file: string): SourceError {
  const at = firstInvalid(bytes);
  const before = strict.decode(bytes.subarray(0, at));
  const lineEnd = bytes.indexOf(10, at);
  // The frame quotes the line as far as it decodes; the rest of the file is not needed.
  const text = before + lenient.decode(bytes.subarray(at, lineEnd < 0 ? bytes.length : lineEnd));
  const where = locate(text, before.length);
  const lineText = before.slice(before.lastIndexOf('\n') + 1);
  return new SourceError(file, text, where, `invalid UTF-8 byte 0x${bytes[at].toString(16).padStart(2, '0')}${context(lineText)}`);
}

/** Where on its line a character after `lineText` is: in a string, in a comment, or neither (''). */
function context(lineText: string): string {
  let inString = false;
  for (let i = 0; i < lineText.length; i++) {
    const c = lineText[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '#') return ' in a comment';
  }
  return inString ? ' in a string' : '';
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or the length. */
function firstInvalid(b: Uint8Array): number {
  const cont = (i: number, lo = 0x80, hi = 0xbf): boolean => i < b.length && b[i] >= lo && b[i] <= hi;
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n: number;
    if (c < 0x80) n = 1;
    else if (c >= 0xc2 && c <= 0xdf) n = cont(i + 1) ? 2 : 0;
    else if (c >= 0xe0 && c <= 0xef) {
      const lo = c === 0xe0 ? 0xa0 : 0x80;
      const hi = c === 0xed ? 0x9f : 0xbf; // no surrogates
      n = cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
    } else if (c >= 0xf0 && c <= 0xf4) {
      const lo = c === 0xf0 ? 0x90 : 0x80;
      const hi = c === 0xf4 ? 0x8f : 0xbf; // nothing above U+10FFFF
      n = cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    } else n = 0;
    if (n === 0) return i;
    i += n;
  }
  return i;
}
