// The body of one scenario in the HTML report: its timeline per variant (family × kernel), the
// wire as a sequence diagram, and the variants side by side. Plain functions from data to HTML
// text, used as they are on both sides: `renderHtml` runs them in Node for the scenarios a page
// opens with, and the page runs the very same functions (their source, shipped by `SHIPPED`)
// for a scenario opened later. So every function here uses only its arguments, the other
// functions of this list and JavaScript's own globals: no imports, no module constants.
import type { AnyScenarioRecord, SegmentRecord, AnyStepRecord } from './records';

/** One run of a scenario as the page shows it: a family on a kernel. */
export interface VariantData {
  /** `tcp`, or `tcp · 6.18.44` when the report spans several kernels. */
  readonly label: string;
  readonly record: AnyScenarioRecord;
}

/** One scenario (file + title) with every run of it. */
export interface GroupData {
  /** The element id of the scenario's section (stable for the same file and title). */
  readonly id: string;
  readonly file: string;
  readonly title: string;
  readonly variants: readonly VariantData[];
  /** The comment written on a step's line, by line number (from the source, when given). */
  readonly comments?: Readonly<Record<number, string>>;
  /** The scenario's lines as written: `[line number, text]`, a `null` line number for a gap. */
  readonly excerpt?: readonly (readonly [number | null, string])[];
}

/** How each expectation of a step came out. */
export interface StepVerdict {
  readonly result: 'pass' | 'fail' | 'none';
  readonly wire: 'pass' | 'fail' | 'unchecked' | 'none';
}

/** Text for HTML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** A list in EPL syntax (`5: IN|OUT, 6: OUT`) that wraps between its items only. */
export function listHtml(text: string): string {
  return text
    .split(', ')
    .map((part) => `<span class="nw">${esc(part)}</span>`)
    .join(', ');
}

/** `IN|OUT` → `['IN', 'OUT']`; an empty mask (`0`) → `[]`. */
export function splitFlags(events: string): string[] {
  return events
    .split('|')
    .map((f) => f.trim())
    .filter((f) => f !== '' && f !== '0');
}

/** A ready list in EPL syntax (`5: IN|OUT, 6: OUT` or `none`) as flags by name; `undefined` if it is not one. */
export function parseReady(text: string): Map<string, string[]> | undefined {
  const out = new Map<string, string[]>();
  const t = text.trim();
  if (t === 'none') return out;
  for (const part of t.split(',')) {
    const m = /^\s*([^\s:]+)\s*:\s*([A-Za-z0-9|x\s]+)$/.exec(part);
    if (!m) return undefined;
    out.set(m[1], splitFlags(m[2]));
  }
  return out;
}

/** Whether two ready lists in EPL syntax say the same (as sets: order free). */
export function sameReady(a: string, b: string): boolean {
  const x = parseReady(a);
  const y = parseReady(b);
  if (!x || !y) return a.trim() === b.trim();
  if (x.size !== y.size) return false;
  for (const [name, flags] of x) {
    const other = y.get(name);
    if (!other || other.length !== flags.length || !flags.every((f) => other.includes(f))) return false;
  }
  return true;
}

/** `5 > 6 P. len 1` */
export function segmentText(s: SegmentRecord): string {
  return `${s.src} > ${s.dst} ${s.flags}${s.len ? ` len ${s.len}` : ''}`;
}

/** Segments in `~>` syntax (`none` or `5 > 6 P. len 1, …`) as records; `undefined` if it is not that. */
export function parseWire(text: string): SegmentRecord[] | undefined {
  const t = text.trim();
  if (t === 'none') return [];
  const out: SegmentRecord[] = [];
  for (const part of t.split(',')) {
    const m = /^\s*(\S+)\s*>\s*(\S+)\s+([SFRPU.]+)(?:\s+len\s+(\d+))?\s*$/.exec(part);
    if (!m) return undefined;
    out.push({ src: m[1], dst: m[2], flags: m[3], len: m[4] ? Number(m[4]) : 0 });
  }
  return out;
}

/** A step's segments in `~>` syntax: `none` or the segments in order. */
export function wireText(segments: readonly SegmentRecord[] | undefined): string {
  return segments && segments.length ? segments.map((s) => segmentText(s)).join(', ') : 'none';
}

/**
 * Which of a step's expectations failed. Records say only whether the step passed; a failed
 * step's `=>` failed when what came differs from it (a ready list compared as a set), its `~>`
 * when the segments differ. A failed step where neither differs (a record from another tool)
 * marks every expectation it has as failed rather than none.
 */
export function stepVerdict(step: AnyStepRecord): StepVerdict {
  const hasResult = step.expect !== undefined;
  const hasWire = step.wireExpect !== undefined;
  const unchecked = hasWire && step.wireChecked === false;
  if (step.pass) return { result: hasResult ? 'pass' : 'none', wire: !hasWire ? 'none' : unchecked ? 'unchecked' : 'pass' };
  const isReady = step.ready !== undefined || (hasResult && parseReady(step.expect ?? '') !== undefined && parseReady(step.got) !== undefined);
  const resultFails = hasResult && !(isReady ? sameReady(step.expect ?? '', step.got) : step.expect === step.got);
  const wireFails = hasWire && !unchecked && step.wireExpect !== wireText(step.wire);
  const neither = !resultFails && !wireFails;
  return {
    result: !hasResult ? 'none' : resultFails || neither ? 'fail' : 'pass',
    wire: !hasWire ? 'none' : unchecked ? 'unchecked' : wireFails || (neither && !hasResult) ? 'fail' : 'pass',
  };
}

/** The names of a record in slot order (derived from the steps for records without `names`). */
export function namesOf(record: AnyScenarioRecord): string[] {
  if (record.names) return [...record.names];
  const seen: string[] = [];
  const add = (n: string) => {
    if (!seen.includes(n)) seen.push(n);
  };
  for (const s of record.steps) {
    for (const n of Object.keys(s.fds ?? {})) add(n);
    for (const e of s.ready ?? []) add(e.name);
    for (const g of s.wire ?? []) {
      add(g.src);
      add(g.dst);
    }
  }
  return seen;
}

/** The names a statement mentions (string literals left out), keyword excluded. */
export function namesIn(op: string, names: readonly string[]): string[] {
  const words = op
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .split(/\s+|->/)
    .filter((w) => w !== '');
  return words.slice(1).filter((w, i, all) => names.includes(w) && all.indexOf(w) === i);
}

/** The chip of one epoll flag; `mark` is `extra` (came, not expected) or `missing` (expected, did not come). */
export function chip(flag: string, mark?: 'extra' | 'missing'): string {
  const known = /^[A-Z]+$/.test(flag) ? flag : 'x';
  const title = mark === 'extra' ? `${flag}: reported, not expected` : mark === 'missing' ? `${flag}: expected, not reported` : flag;
  return `<i class="chip c-${known}${mark ? ' ' + mark : ''}" title="${esc(title)}">${esc(flag)}</i>`;
}

/** The kind of a segment, for its colour: `rst`, `syn`, `fin`, `data` or `ack`. */
export function segmentKind(s: SegmentRecord): string {
  if (s.flags.includes('R')) return 'rst';
  if (s.flags.includes('S')) return 'syn';
  if (s.flags.includes('F')) return 'fin';
  if (s.len > 0 || s.flags.includes('P')) return 'data';
  return 'ack';
}

/** The endpoints of a record's segments, in slot order. */
export function wireEnds(record: AnyScenarioRecord, names: readonly string[]): string[] {
  const ends: string[] = [];
  for (const s of record.steps) for (const g of s.wire ?? []) for (const n of [g.src, g.dst]) if (!ends.includes(n)) ends.push(n);
  const rank = (n: string) => (names.includes(n) ? names.indexOf(n) : names.length + ends.indexOf(n));
  return ends.sort((a, b) => rank(a) - rank(b));
}

/**
 * One step's segments as arrows between the endpoints' lifelines (x positions `xs`). With
 * `expected` (a failed `~>`), a segment that was not expected is marked `extra` and an expected
 * one that did not come is drawn dashed, marked `missing`.
 */
export function arrowsSvg(
  segments: readonly SegmentRecord[],
  ends: readonly string[],
  xs: readonly number[],
  width: number,
  expected?: readonly SegmentRecord[],
): string {
  const unmatched = expected ? expected.map((e) => segmentText(e)) : [];
  const drawn: [SegmentRecord, string][] = segments.map((s) => {
    if (!expected) return [s, ''];
    const k = unmatched.indexOf(segmentText(s));
    if (k < 0) return [s, ' extra'];
    unmatched.splice(k, 1);
    return [s, ''];
  });
  for (const text of unmatched) {
    const e = (expected ?? []).find((x) => segmentText(x) === text);
    if (e && ends.includes(e.src) && ends.includes(e.dst)) drawn.push([e, ' missing']);
  }
  if (drawn.length === 0) return '';
  const rowH = 24;
  let out = `<svg class="segs" width="${width}" height="${drawn.length * rowH + 4}" role="img" aria-label="${esc(segments.map((s) => segmentText(s)).join(', '))}">`;
  drawn.forEach(([s, mark], i) => {
    const x1 = xs[ends.indexOf(s.src)];
    const x2 = xs[ends.indexOf(s.dst)];
    const y = i * rowH + 19;
    const dir = x2 >= x1 ? 1 : -1;
    const tip = x2 - dir * 2;
    const label = `[${s.flags}]${s.len ? ` len ${s.len}` : ''}`;
    const note = mark === ' extra' ? ' (not expected)' : mark === ' missing' ? ' (expected, not captured)' : '';
    out +=
      `<g class="arrow k-${segmentKind(s)}${mark}" data-src="${esc(s.src)}" data-dst="${esc(s.dst)}" data-flags="${esc(s.flags)}" data-len="${s.len}">` +
      `<title>${esc(segmentText(s) + note)}</title>` +
      (mark === ' extra' ? `<rect class="hl" x="${Math.min(x1, x2)}" y="${y - 16}" width="${Math.abs(x2 - x1)}" height="21" rx="4"/>` : '') +
      `<line x1="${x1}" y1="${y}" x2="${tip - dir * 7}" y2="${y}"/>` +
      `<path d="M${tip} ${y}l${-dir * 9} -4.5v9z"/>` +
      `<text x="${(x1 + x2) / 2}" y="${y - 5}">${esc(label)}</text></g>`;
  });
  return out + '</svg>';
}

/** The expected-vs-got lines of a failed (or unchecked) step; `oracle` `model`: the model's answer against the kernel's. */
export function expectationHtml(step: AnyStepRecord, verdict: StepVerdict, oracle?: string): string {
  const want = oracle === 'model' ? 'model' : 'expected';
  const got = oracle === 'model' ? 'kernel' : 'got';
  let out = '';
  if (verdict.result === 'fail')
    out += `<div class="xp"><b>=&gt; ${want}</b><code>${listHtml(step.expect ?? '')}</code><b class="got">${got}</b><code>${listHtml(step.got)}</code></div>`;
  if (verdict.wire === 'fail')
    out += `<div class="xp"><b>~&gt; ${want}</b><code>${listHtml(step.wireExpect ?? '')}</code><b class="got">${got}</b><code>${listHtml(wireText(step.wire))}</code></div>`;
  if (verdict.wire === 'unchecked') out += `<div class="unck">~&gt; <code>${esc(step.wireExpect ?? '')}</code> not checked: the wire was not captured</div>`;
  return out;
}

/** The model's reasons for a step (`epl explain`'s records), a line each. */
export function whyHtml(step: AnyStepRecord): string {
  if (!step.why || step.why.length === 0) return '';
  let out = '<ul class="why" title="why, as the model says">';
  for (const w of step.why) out += `<li>${esc(w)}</li>`;
  return out + '</ul>';
}

/** The chips of one name in a `wait` row: what was reported, and on a failed row what was expected and did not come. */
export function readyCell(name: string, reported: Map<string, string[]>, expected: Map<string, string[]> | undefined): string {
  const got = reported.get(name) ?? [];
  const want = expected ? (expected.get(name) ?? []) : undefined;
  let out = '';
  for (const f of got) out += chip(f, want && !want.includes(f) ? 'extra' : undefined);
  if (want) for (const f of want) if (!got.includes(f)) out += chip(f, 'missing');
  return out;
}

/** The timeline of one variant: a row per step, a column per name, the wire beside. */
export function timelineHtml(group: GroupData, variant: VariantData): string {
  const r = variant.record;
  const names = namesOf(r);
  const ends = r.wire.captured ? wireEnds(r, names) : [];
  const gap = 150;
  const width = ends.length ? 80 + (ends.length - 1) * gap : 0;
  const xs = ends.map((_, k) => 40 + k * gap);
  const lifelines = xs.map((x) => `linear-gradient(var(--life),var(--life)) ${x - 1}px 0/2px 100% no-repeat`).join(',');
  let head = '<thead><tr><th class="st" title="line; ✓ checked, ✗ failed, ○ not checked">line</th><th class="op">statement</th><th class="res">result</th>';
  for (const n of names) {
    const bind = r.steps.find((s) => s.fds && Object.prototype.hasOwnProperty.call(s.fds, n));
    head += `<th class="nm" data-name="${esc(n)}">${esc(n)}${bind ? `<small>fd ${bind.fds?.[n] ?? ''}</small>` : ''}</th>`;
  }
  if (ends.length) {
    head += `<th class="wire" style="width:${width}px"><span>wire</span><svg width="${width}" height="16" class="ends">`;
    ends.forEach((n, k) => (head += `<text x="${xs[k]}" y="12">${esc(n)}</text>`));
    head += '</svg></th>';
  } else {
    const why = !r.wire.captured ? `wire not captured${r.wire.reason ? `: ${r.wire.reason}` : ''}` : 'no TCP segments';
    head += `<th class="wire none" title="${esc(why)}">${esc(why)}</th>`;
  }
  head += '</tr></thead>';
  const cols = names.length + 4;
  const state = new Map<string, 'open' | 'closed'>();
  let setupRows = '';
  let ownRows = '';
  r.steps.forEach((s, i) => {
    const v = stepVerdict(s);
    const failed = v.result === 'fail' || v.wire === 'fail';
    const checked = v.result !== 'none' || v.wire === 'pass' || v.wire === 'fail';
    const isWait = s.ready !== undefined;
    const mentioned = namesIn(s.op, names);
    const closing = /^close\s/.test(s.op) && s.result === 0;
    const cls = ['step'];
    if (failed) cls.push('fail');
    if (v.wire === 'unchecked') cls.push('unck');
    if (isWait) cls.push('wait');
    const icon = failed ? '✗' : v.wire === 'unchecked' ? '◐' : checked ? '✓' : '○';
    const model = r.oracle === 'model';
    const iconTitle = failed
      ? model
        ? 'the model and the kernel disagree'
        : 'an expectation failed'
      : v.wire === 'unchecked'
        ? '~> not checked (wire not captured)'
        : checked
          ? `${model ? 'the model agrees' : 'checked'}:${s.expect !== undefined ? ` => ${s.expect}` : ''}${s.wireExpect !== undefined ? ` ~> ${s.wireExpect}` : ''}`
          : 'no expectation: not checked';
    const comment = group.comments?.[s.line];
    let row = `<tr class="${cls.join(' ')}" data-step="${i}" data-line="${s.line}"><td class="st" title="${esc(iconTitle)}"><span class="ic">${icon}</span>${s.line}</td>`;
    row += `<td class="op"><code title="${esc(`${group.file}:${s.line}:${s.col}`)}">${esc(s.op)}</code>`;
    if (comment) row += `<div class="note">${esc(comment)}</div>`;
    row += expectationHtml(s, v, r.oracle) + whyHtml(s) + '</td>';
    const res = isWait ? `= ${String(s.result)}` : `= ${s.got}`;
    const isErrno = typeof s.result === 'string';
    row += `<td class="res${isErrno ? ' errno' : ''}${v.result === 'fail' ? ' bad' : ''}"><code>${esc(res)}</code></td>`;
    const reported = new Map<string, string[]>();
    for (const e of s.ready ?? []) reported.set(e.name, splitFlags(e.events));
    const expected = isWait && v.result === 'fail' && s.expect !== undefined ? parseReady(s.expect) : undefined;
    for (const n of names) {
      const was = state.get(n);
      const binds = s.fds !== undefined && Object.prototype.hasOwnProperty.call(s.fds, n);
      const closes = closing && mentioned[0] === n;
      const lifeline = binds ? (was === 'open' ? 'live' : 'bind') : closes && was === 'open' ? 'end' : was === 'open' ? 'live' : '';
      let cell = '';
      if (isWait) cell = readyCell(n, reported, expected);
      else if (binds) cell = `<span class="fd">fd ${s.fds?.[n] ?? ''}</span>`;
      else if (closes) cell = '<span class="cl" title="closed">✕</span>';
      else if (mentioned.includes(n)) cell = '<span class="use" title="named by this statement">●</span>';
      row += `<td class="nm${lifeline ? ' ' + lifeline : ''}">${cell}</td>`;
      if (binds) state.set(n, 'open');
      else if (closes) state.set(n, 'closed');
    }
    const wantWire = v.wire === 'fail' && s.wireExpect !== undefined ? parseWire(s.wireExpect) : undefined;
    if (ends.length) row += `<td class="wire">${arrowsSvg(s.wire ?? [], ends, xs, width, wantWire)}</td>`;
    else row += '<td class="wire none"></td>';
    row += '</tr>';
    if (s.setup) setupRows += row;
    else ownRows += row;
  });
  if (r.error !== undefined) {
    ownRows += `<tr class="step err"><td class="st"><span class="ic">✗</span></td><td colspan="${cols - 1}"><b>did not complete:</b> ${esc(r.error)}</td></tr>`;
  }
  let out = `<table class="tl" style="--lifelines:${lifelines || 'none'}">${head}`;
  if (setupRows)
    out += `<tbody class="setup"><tr class="band"><td colspan="${cols}"><b>setup</b> shared by every scenario of ${esc(group.file)}</td></tr>${setupRows}</tbody>`;
  if (ownRows) out += `<tbody class="own">${setupRows ? `<tr class="band own"><td colspan="${cols}"><b>scenario</b></td></tr>` : ''}${ownRows}</tbody>`;
  return out + '</table>';
}

/** What one step observed, for the side-by-side table: the result, and the wire when `wire` says. */
export function observedText(record: AnyScenarioRecord, step: AnyStepRecord | undefined, wire: boolean): string {
  if (!step) return '(not run)';
  if (!wire) return step.got;
  return record.wire.captured ? `${step.got} ~> ${wireText(step.wire)}` : `${step.got} ~> (not captured)`;
}

/** The variants side by side: a row per step, a column per variant, differing cells highlighted. */
export function matrixHtml(group: GroupData): string {
  const vs = group.variants;
  const rows = Math.max(...vs.map((v) => v.record.steps.length));
  let body = '';
  let differ = 0;
  for (let i = 0; i < rows; i++) {
    const first = vs.map((v) => v.record.steps[i]).find((s) => s !== undefined);
    // The wire is shown on the rows where some variant has segments: elsewhere every `~> none` would be noise.
    const wire = vs.some((v) => (v.record.steps[i]?.wire ?? []).length > 0);
    const seen = vs.map((v) => observedText(v.record, v.record.steps[i], wire));
    const differs = seen.some((t) => t !== seen[0]);
    if (differs) differ++;
    body += `<tr class="${differs ? 'differs' : 'same'}${first?.setup ? ' setup' : ''}"><td class="st">${first?.line ?? ''}</td><td class="op"><code>${esc(first?.op ?? '')}</code></td>`;
    vs.forEach((v, k) => {
      const s = v.record.steps[i];
      const bad = s !== undefined && !s.pass;
      const other = s !== undefined && first !== undefined && s.op !== first.op ? `<div class="note">statement: ${esc(s.op)}</div>` : '';
      body += `<td class="${seen[k] !== seen[0] ? 'diff' : ''}${bad ? ' bad' : ''}">${bad ? '<span class="ic">✗</span>' : ''}<code>${listHtml(seen[k])}</code>${other}</td>`;
    });
    body += '</tr>';
  }
  // Several kernels: a header row of kernels over their families (the variants come kernel by kernel).
  const kernels = vs.map((v) => v.record.kernel);
  const severalKernels = kernels.some((k) => k !== kernels[0]);
  let head = `<thead><tr><th class="st"${severalKernels ? ' rowspan="2"' : ''}>line</th><th class="op"${severalKernels ? ' rowspan="2"' : ''}>statement</th>`;
  if (severalKernels) {
    for (let k = 0; k < vs.length;) {
      let n = 1;
      while (k + n < vs.length && kernels[k + n] === kernels[k]) n++;
      head += `<th class="k" colspan="${n}">${esc(kernels[k])}</th>`;
      k += n;
    }
    head += '</tr><tr>';
  }
  for (const v of vs)
    head += `<th class="${v.record.pass ? 'pass' : 'fail'}" title="${esc(v.label)}">${esc(severalKernels ? v.label.replace(` · ${v.record.kernel}`, '') : v.label)}</th>`;
  head += '</tr></thead>';
  const what = `${vs.length > 3 ? `${vs.length} runs` : vs.map((v) => esc(v.label)).join(' · ')} side by side: ${differ ? `<b>${differ} of ${rows} steps differ</b> (cells unlike ${esc(vs[0].label)}'s highlighted)` : `all ${rows} steps agree`}`;
  return `<details class="mx"${differ ? ' open' : ''}><summary>${what}</summary><div class="scroll"><table class="mx">${head}<tbody>${body}</tbody></table></div></details>`;
}

/** The scenario's lines as written, the lines of failed steps marked. */
export function excerptHtml(group: GroupData): string {
  if (!group.excerpt || group.excerpt.length === 0) return '';
  const bad = new Set<number>();
  for (const v of group.variants) for (const s of v.record.steps) if (!s.pass) bad.add(s.line);
  let out = `<details class="src"><summary>source: ${esc(group.file)}</summary><pre>`;
  for (const [n, text] of group.excerpt)
    out += n === null ? '<span class="gap">   ⋮</span>\n' : `<span class="${bad.has(n) ? 'bad' : ''}"><i>${String(n).padStart(4)}</i> ${esc(text)}</span>\n`;
  return out + '</pre></details>';
}

/** The notes above a variant's timeline: its error, its flakiness, its attempts. */
export function variantNotes(variant: VariantData): string {
  const r = variant.record;
  let out = '';
  if (r.error !== undefined) out += `<div class="banner err"><b>error</b> the scenario did not run to its end: ${esc(r.error)}</div>`;
  if (r.flaky)
    out +=
      `<details class="banner flaky"><summary><b>flaky</b> passed on attempt ${r.flaky.attempts} of ${r.flaky.attempts}; the first attempt failed (show)</summary>` +
      `<pre>${esc(r.flaky.firstFailure)}</pre></details>`;
  else if (!r.pass && (r.attempts ?? 1) > 1) out += `<div class="banner fail">failed on each of ${r.attempts ?? 1} attempts; the last is shown</div>`;
  if (!r.wire.captured)
    out += `<div class="banner unck">wire not captured${r.wire.reason ? `: ${esc(r.wire.reason)}` : ''}: <code>~&gt;</code> expectations are not checked</div>`;
  return out;
}

/** The whole body of one scenario's section; the first run that did not plainly pass is the tab shown. */
export function groupBodyHtml(group: GroupData): string {
  const vs = group.variants;
  const shown = Math.max(
    0,
    vs.findIndex((v) => !v.record.pass || v.record.flaky !== undefined),
  );
  let out = excerptHtml(group);
  if (vs.length > 1) {
    out += '<div class="tabs" role="tablist">';
    vs.forEach((v, k) => {
      const st = v.record.error !== undefined ? 'error' : !v.record.pass ? 'fail' : v.record.flaky ? 'flaky' : 'pass';
      out += `<button type="button" role="tab" class="tab ${st}${k === shown ? ' on' : ''}" data-v="${k}" aria-selected="${k === shown ? 'true' : 'false'}">${esc(v.label)}</button>`;
    });
    out += '</div>';
  }
  vs.forEach((v, k) => {
    out += `<div class="panel${k === shown ? ' on' : ''}" data-v="${k}" role="tabpanel"><h4 class="vh">${esc(v.label)}</h4>${variantNotes(v)}<div class="scroll">${timelineHtml(group, v)}</div></div>`;
  });
  if (vs.length > 1) out += matrixHtml(group);
  return out;
}

/** The functions the page needs, in an order where each is defined before the page runs. */
export const SHIPPED: readonly ((...args: never[]) => unknown)[] = [
  esc,
  listHtml,
  splitFlags,
  parseReady,
  sameReady,
  segmentText,
  parseWire,
  wireText,
  stepVerdict,
  namesOf,
  namesIn,
  chip,
  segmentKind,
  wireEnds,
  arrowsSvg,
  expectationHtml,
  whyHtml,
  readyCell,
  timelineHtml,
  observedText,
  matrixHtml,
  excerptHtml,
  variantNotes,
  groupBodyHtml,
];
