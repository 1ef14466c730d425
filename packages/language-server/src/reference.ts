// The reference entry of each statement keyword, as hover and completion show it. The data is
// extracted at build time from grammar/README.md and packages/executor/README.md (generate.js).
import { REFERENCE } from './generated/reference';

export interface ReferenceEntry {
  /** The statement's forms (`write A "s"`, `write A N`). */
  readonly syntax: readonly string[];
  /** What it compiles to (`same`: the op of that name). */
  readonly op: string;
  readonly notes: string;
  /** The executor's rows naming it: their first cell as written (Markdown) and the syscalls made. */
  readonly syscalls: readonly { readonly ops: string; readonly text: string }[];
}

/** The entry of a statement keyword (any case), if the reference has one. */
export function referenceEntry(keyword: string): ReferenceEntry | undefined {
  const key = keyword.toLowerCase();
  return Object.prototype.hasOwnProperty.call(REFERENCE, key) ? REFERENCE[key] : undefined;
}

/** Every keyword the reference describes. */
export function referenceKeywords(): string[] {
  return Object.keys(REFERENCE);
}

/** An entry as Markdown: the forms, what it compiles to, the notes, then the syscalls. */
export function referenceMarkdown(entry: ReferenceEntry): string {
  const parts = [entry.syntax.map((s) => `\`${s}\``).join(', ')];
  const said = [entry.op !== 'same' ? `op: ${entry.op}` : '', entry.notes].filter((t) => t !== '');
  if (said.length) parts.push(said.join('; '));
  for (const s of entry.syscalls) parts.push(`${s.ops}: ${s.text}`);
  return parts.join('\n\n');
}
