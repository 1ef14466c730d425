// renderJunit: JUnit XML for CI test reporters (Jenkins, GitLab, GitHub actions that read
// JUnit). One <testsuite> per file, one <testcase> per record (scenario × family × kernel).
// The shape is the one Jenkins' junit-10 schema and GitLab's parser accept; records carry no
// timings, so no `time` is written.
import { recordStatus } from './group';
import type { AnyScenarioRecord } from './records';
import { errorAt, failuresOf, formatFailureText, runName, stepList } from './text';

export interface JunitOptions {
  /** The `name` of `<testsuites>` (default `epl`). */
  readonly name?: string;
}

// Code points XML 1.0 cannot carry (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/U+FFFF)
// and the C1 controls it discourages are written as visible escapes, so the text stays readable
// and the document stays valid.
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const XML_SPECIAL = /[&<>"'\t\n\r]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visible(c: string): string {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** Text for XML element content (`attribute` false) or a double-quoted attribute value. */
export function xmlEscape(text: string, attribute = false): string {
  return text.replace(XML_SPECIAL, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return attribute ? '&quot;' : c;
      case "'":
        return attribute ? '&apos;' : c;
      // Attribute values are normalized (a newline becomes a space) unless written as references.
      case '\t':
        return attribute ? '&#9;' : c;
      case '\n':
        return attribute ? '&#10;' : c;
      case '\r':
        return '&#13;';
      default:
        return visible(c);
    }
  });
}

function attrs(pairs: Readonly<Record<string, string | number>>): string {
  return Object.entries(pairs)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v), true)}"`)
    .join('');
}

function testcase(r: AnyScenarioRecord, withKernel: boolean): string {
  const status = recordStatus(r);
  const head = `    <testcase${attrs({ classname: r.file, name: runName(r, withKernel) })}>`;
  const failures = failuresOf(r);
  const failureText = failures.map((f) => formatFailureText(r, f)).join('\n\n');
  const out = (text: string) => `      <system-out>${xmlEscape(text)}</system-out>\n`;
  let body = '';
  if (status === 'error') {
    const message = `${errorAt(r)}: scenario "${r.title}" [${r.family}]: error: ${r.error ?? ''}`;
    body += `      <error${attrs({ type: 'error', message })}>${xmlEscape(failureText ? `${message}\n\n${failureText}` : message)}</error>\n`;
    body += out(stepList(r));
  } else if (status === 'fail') {
    const first = failures[0];
    const message = first
      ? `${first.at}: ${first.arrow} ${r.oracle === 'model' ? `model ${first.expected}, kernel` : `expected ${first.expected}, got`} ${first.got}${failures.length > 1 ? ` (and ${failures.length - 1} more)` : ''}`
      : `${r.file}: scenario "${r.title}" [${r.family}] failed`;
    const attempts = (r.attempts ?? 1) > 1 ? `\n\n(failed on each of ${r.attempts ?? 1} attempts; the last is shown)` : '';
    body += `      <failure${attrs({ type: r.oracle === 'model' ? 'model' : 'expectation', message })}>${xmlEscape((failureText || message) + attempts)}</failure>\n`;
    body += out(stepList(r));
  } else if (status === 'flaky' && r.flaky) {
    const note = `flaky: passed on attempt ${r.flaky.attempts} of ${r.flaky.attempts}; the first attempt failed`;
    body += `      <flakyFailure${attrs({ type: 'expectation', message: note })}><stackTrace>${xmlEscape(r.flaky.firstFailure)}</stackTrace></flakyFailure>\n`;
    body += out(`${note}:\n${r.flaky.firstFailure}\n\nthe passing attempt:\n${stepList(r)}`);
  }
  return body ? `${head}\n${body}    </testcase>\n` : `${head}</testcase>\n`;
}

/** JUnit XML of a set of records: a suite per file, a testcase per scenario × family (× kernel). */
export function renderJunit(records: readonly AnyScenarioRecord[], options: JunitOptions = {}): string {
  const withKernel = new Set(records.map((r) => r.kernel)).size > 1;
  const byFile = new Map<string, AnyScenarioRecord[]>();
  for (const r of records) {
    const list = byFile.get(r.file);
    if (list) list.push(r);
    else byFile.set(r.file, [r]);
  }
  const count = (list: readonly AnyScenarioRecord[]) => {
    const st = list.map(recordStatus);
    return { tests: list.length, failures: st.filter((s) => s === 'fail').length, errors: st.filter((s) => s === 'error').length, skipped: 0 };
  };
  let suites = '';
  for (const [file, list] of byFile) {
    const props = [
      ['kernel', [...new Set(list.map((r) => r.kernel))].join(', ')],
      ['family', [...new Set(list.map((r) => r.family))].join(', ')],
    ];
    suites += `  <testsuite${attrs({ name: file, ...count(list) })}>\n    <properties>\n`;
    for (const [name, value] of props) suites += `      <property${attrs({ name, value })}/>\n`;
    suites += '    </properties>\n';
    for (const r of list) suites += testcase(r, withKernel);
    suites += '  </testsuite>\n';
  }
  const total = count(records);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attrs({ name: options.name ?? 'epl', tests: total.tests, failures: total.failures, errors: total.errors })}>\n${suites}</testsuites>\n`;
}
