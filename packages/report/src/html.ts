// renderHtml: one self-contained page (inline CSS, script and SVG; nothing fetched) from JSON
// records. The header, the legend, the index and each scenario's summary line are written here;
// a scenario's body (timelines, wire, side-by-side table) is written by view.ts, here for the
// scenarios the page opens with and in the browser for the others, from their records embedded
// in the page (compressed): a report of thousands of scenarios stays small and quick to show.
import { gzipSync } from 'node:zlib';
import { groupRecords, summarize } from './group';
import type { Group, Status } from './group';
import { pageMain } from './page-script';
import type { AnyScenarioRecord, Sources } from './records';
import { CSS, FLAG_COLOURS, SEGMENT_COLOURS } from './style';
import { failuresOf } from './text';
import { SHIPPED, arrowsSvg, chip, esc, groupBodyHtml } from './view';

export interface HtmlOptions {
  /** The page's title (default `epl report`). */
  readonly title?: string;
  /** Source texts by file, as the records name it: comments and the scenario's lines as written. */
  readonly sources?: Sources;
}

/** A report of at most this many scenarios opens with every scenario open. */
export const OPEN_ALL_MAX = 50;
/** A larger one opens with its first failed, errored or flaky scenarios open, at most this many. */
export const OPEN_PROBLEMS_MAX = 10;

const ICON: Readonly<Record<Status, string>> = { pass: '✓', fail: '✗', error: '!', flaky: '~' };
const WORD: Readonly<Record<Status, string>> = { pass: 'passed', fail: 'failed', error: 'error', flaky: 'flaky' };

function icon(status: Status): string {
  return `<span class="st-icon ${status}" title="${WORD[status]}">${ICON[status]}</span>`;
}

function variantStatus(r: AnyScenarioRecord): Status {
  if (r.error !== undefined) return 'error';
  if (!r.pass) return 'fail';
  return r.flaky ? 'flaky' : 'pass';
}

/** `model`: the records are epl explain's, whose steps pass when the model agrees with the kernel. */
function legendHtml(model: boolean): string {
  let flags = '<span class="grp"><b>epoll_wait reports</b>';
  for (const f of ['IN', 'PRI', 'OUT', 'ERR', 'HUP', 'RDHUP']) if (f in FLAG_COLOURS) flags += chip(f);
  flags += `${chip('OUT', 'extra')}<span>not expected</span>${chip('IN', 'missing')}<span>expected, not reported</span></span>`;
  let wire = '<span class="grp"><b>wire</b>';
  for (const [kind, [, what]] of Object.entries(SEGMENT_COLOURS)) {
    const flags = kind === 'syn' ? 'S' : kind === 'data' ? 'P.' : kind === 'ack' ? '.' : kind === 'fin' ? 'F.' : 'R';
    const svg = arrowsSvg([{ src: 'a', dst: 'b', flags, len: kind === 'data' ? 1 : 0 }], ['a', 'b'], [4, 40], 44).replace('<svg class="segs"', '<svg');
    wire += `${svg.replace(/<text[^]*?<\/text>/, '')}<span>${esc(what)}</span>`;
  }
  wire += '</span>';
  const rows =
    `<span class="grp"><b>steps</b><span class="ic" style="color:var(--pass)">✓</span>${model ? 'the model agrees' : 'checked'} <span class="ic" style="color:var(--fail)">✗</span>${model ? 'model and kernel disagree' : 'failed'} ` +
    '<span class="ic" style="color:#8c959f">○</span>no expectation <span class="ic" style="color:var(--unck)">◐</span>~&gt; not checked</span>';
  return `<div class="legend">${flags}${wire}${rows}</div>`;
}

function summaryHtml(records: readonly AnyScenarioRecord[]): string {
  const s = summarize(records);
  const parts = [
    `<span><b>${s.runs}</b> run${s.runs === 1 ? '' : 's'} of <b>${s.scenarios}</b> scenario${s.scenarios === 1 ? '' : 's'} in <b>${s.files}</b> file${s.files === 1 ? '' : 's'}</span>`,
    `<span class="count pass">${s.passed} passed</span>`,
    `<span class="count fail">${s.failed} failed</span>`,
  ];
  if (s.errored) parts.push(`<span class="count error">${s.errored} errored</span>`);
  if (s.flaky) parts.push(`<span class="count flaky">${s.flaky} flaky</span>`);
  if (s.families.length) parts.push(`<span>family: <b>${esc(s.families.join(', '))}</b></span>`);
  if (s.kernels.length) parts.push(`<span>kernel: <b>${esc(s.kernels.join(', '))}</b></span>`);
  const uncaptured = records.filter((r) => !r.wire.captured).length;
  if (uncaptured) parts.push(`<span>wire not captured in ${uncaptured} run${uncaptured === 1 ? '' : 's'}</span>`);
  return `<div class="summary">${parts.join('')}</div>`;
}

function indexHtml(groups: readonly Group[]): string {
  const byFile = new Map<string, Group[]>();
  for (const g of groups) {
    const list = byFile.get(g.file);
    if (list) list.push(g);
    else byFile.set(g.file, [g]);
  }
  let out = '';
  for (const [file, list] of byFile) {
    const ok = list.filter((g) => g.status === 'pass' || g.status === 'flaky').length;
    out += `<li class="file"><div class="fname"><span>${esc(file).replace(/\//g, '/<wbr>')}</span><span class="n">${ok}/${list.length} passed</span></div><ul>`;
    for (const g of list) out += `<li class="it" data-id="${g.id}"><a href="#${g.id}">${icon(g.status)}<span class="t">${esc(g.title)}</span></a></li>`;
    out += '</ul></li>';
  }
  return (
    '<nav id="index" aria-label="scenarios"><div class="tools">' +
    '<input type="search" id="filter" placeholder="Filter: file, title, family, failed… ( / )" aria-label="filter scenarios" autocomplete="off">' +
    '<div class="opts"><label><input type="checkbox" id="problems"> only failed, errored, flaky</label><span id="shown"></span></div></div>' +
    `<ul>${out}</ul>` +
    '<div class="keys"><kbd>/</kbd> filter · <kbd>j</kbd> <kbd>k</kbd> next, previous · <kbd>Enter</kbd> open · <kbd>?</kbd> all keys</div></nav>'
  );
}

const HELP =
  '<div id="help" hidden role="dialog" aria-label="keys"><b>Keys</b><table>' +
  '<tr><td><kbd>/</kbd></td><td>focus the filter (<kbd>Enter</kbd> there goes to the first match, <kbd>Esc</kbd> leaves it)</td></tr>' +
  '<tr><td><kbd>j</kbd> <kbd>k</kbd></td><td>next, previous scenario</td></tr>' +
  '<tr><td><kbd>Enter</kbd> <kbd>o</kbd></td><td>open or close the scenario</td></tr>' +
  '<tr><td><kbd>h</kbd> <kbd>l</kbd></td><td>previous, next family or kernel of the scenario</td></tr>' +
  '<tr><td><kbd>f</kbd></td><td>only failed, errored and flaky scenarios, or all</td></tr>' +
  '<tr><td><kbd>?</kbd> <kbd>Esc</kbd></td><td>show, hide this list</td></tr></table></div>';

/** One line on why a scenario did not pass: its first failed expectation, or its error. */
function whyLine(g: Group): string {
  for (const v of g.variants) {
    const r = v.record;
    if (r.error !== undefined) return `${v.label}: error: ${r.error}`;
    for (const f of r.pass ? [] : failuresOf(r))
      return `${v.label}: line ${f.at.slice(r.file.length + 1).split(':')[0]} ${f.statement}: ${f.arrow} ${r.oracle === 'model' ? `model ${f.expected}, kernel` : `expected ${f.expected}, got`} ${f.got}`;
  }
  return '';
}

function sectionHtml(g: Group, open: boolean): string {
  const own = g.variants[0].record.steps.find((s) => !s.setup) ?? g.variants[0].record.steps[0];
  const why = g.status === 'fail' || g.status === 'error' ? whyLine(g) : '';
  const words = [g.file, g.title, WORD[g.status], ...g.variants.flatMap((v) => [v.label, WORD[variantStatus(v.record)]])];
  let vars = '';
  for (const v of g.variants) {
    const st = variantStatus(v.record);
    vars += `<span class="var ${st}" title="${esc(`${v.label}: ${WORD[st]}`)}">${ICON[st]} ${esc(v.label)}</span>`;
  }
  return (
    `<details class="scn ${g.status}" id="${g.id}" data-status="${g.status}" data-q="${esc(words.join(' ').toLowerCase())}"${open ? ' data-rendered="1" open' : ''}>` +
    `<summary>${icon(g.status)}<span class="head"><span class="title">${esc(g.title)}</span><span class="where">${esc(g.file)}${own ? `:${own.line}` : ''}</span>` +
    `${why ? `<span class="why" title="${esc(why)}">${esc(why)}</span>` : ''}</span><span class="vars">${vars}</span></summary>` +
    `<div class="body">${open ? groupBodyHtml(g) : ''}</div></details>`
  );
}

/** The HTML report of a set of records: one self-contained page that opens from disk. */
export function renderHtml(records: readonly AnyScenarioRecord[], options: HtmlOptions = {}): string {
  const title = options.title ?? 'epl report';
  const groups = groupRecords(records, options.sources);
  const open = new Set<string>();
  if (groups.length <= OPEN_ALL_MAX) for (const g of groups) open.add(g.id);
  else for (const g of groups.filter((x) => x.status !== 'pass').slice(0, OPEN_PROBLEMS_MAX)) open.add(g.id);
  // The folded scenarios' records, a line per scenario (`id`, tab, its JSON), gzipped, in
  // base64: records repeat themselves (the same steps in every family, the same setup in every
  // scenario of a file), so 3,000 of them take 0.2 MB instead of 6, and the browser reads 6 MB
  // less before it shows the page. A line is parsed only when its scenario opens.
  const folded = groups.filter((g) => !open.has(g.id));
  const data = folded.length ? gzipSync(folded.map((g) => `${g.id}\t${JSON.stringify(g)}`).join('\n')).toString('base64') : '';
  // By `.name`: a bundler may rename the functions (esbuild does, on a clash), consistently.
  const script = `${SHIPPED.map((f) => f.toString()).join('\n')}\n(${pageMain.toString()})(${groupBodyHtml.name});`;
  const sections = groups.length ? groups.map((g) => sectionHtml(g, open.has(g.id))).join('\n') : '<p class="empty">No records.</p>';
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    // The page's script runs last; the class that hides the other runs' tabs is set first, so
    // that the browser never lays out what it is about to hide.
    `<title>${esc(title)}</title><style>${CSS}</style><script>document.documentElement.classList.add('js')</script></head><body>` +
    `<header class="top"><h1>${esc(title)}</h1>${summaryHtml(records)}${legendHtml(records.some((r) => r.oracle === 'model'))}</header>` +
    `<div class="layout">${indexHtml(groups)}<main>${sections}</main></div>${HELP}` +
    (data ? `<script type="application/octet-stream" id="epl-data" data-encoding="gzip base64">${data}</script>` : '') +
    `<script>${script}</script></body></html>\n`
  );
}
