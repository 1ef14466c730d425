// renderTap: TAP version 13, a test point per record (scenario × family × kernel), a YAML block
// with the located failures and the step list under each one that did not pass (and each flaky one).
import { recordStatus } from './group';
import type { AnyScenarioRecord } from './records';
import { errorAt, failuresOf, runName, stepList } from './text';

// Controls other than newline would break a YAML block scalar or a TAP line: written as escapes.
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it finds
  return text.replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A TAP description: one line, `#` escaped (it would start a directive), `\` doubled. */
function description(text: string): string {
  return printable(text.replace(/\r?\n/g, ' ')).replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

/** A YAML scalar: JSON's double-quoted strings are YAML's. */
function scalar(text: string): string {
  return JSON.stringify(text);
}

function block(key: string, text: string, indent: string): string {
  const lines = printable(text).split(/\r?\n/);
  return `${indent}${key}: |-\n${lines.map((l) => `${indent}  ${l}`).join('\n')}\n`;
}

function diagnostics(r: AnyScenarioRecord): string {
  const status = recordStatus(r);
  if (status === 'pass') return '';
  let y = '  ---\n';
  if (status === 'error') {
    y += `  message: ${scalar(`error: ${r.error ?? ''}`)}\n  severity: error\n  at: ${scalar(errorAt(r))}\n`;
  } else if (status === 'fail') {
    const failures = failuresOf(r);
    const first = failures[0];
    const what = r.oracle === 'model' ? 'the model and the kernel disagree' : 'expectation failed';
    y += `  message: ${scalar(first ? `${first.arrow} ${what}` : 'failed')}\n  severity: fail\n`;
    if (first) y += `  at: ${scalar(first.at)}\n`;
    if ((r.attempts ?? 1) > 1) y += `  attempts: ${r.attempts ?? 1}\n`;
    if (failures.length) {
      y += '  failures:\n';
      for (const f of failures)
        y += `    - at: ${scalar(f.at)}\n      statement: ${scalar(f.statement)}\n      expected: ${scalar(`${f.arrow} ${f.expected}`)}\n      got: ${scalar(`${f.arrow} ${f.got}`)}\n`;
    }
  } else if (r.flaky) {
    y += `  message: ${scalar(`flaky: passed on attempt ${r.flaky.attempts}; the first attempt failed`)}\n  severity: flaky\n  attempts: ${r.flaky.attempts}\n`;
    y += block('firstFailure', r.flaky.firstFailure, '  ');
  }
  y += `  kernel: ${scalar(r.kernel)}\n`;
  y += block('steps', stepList(r), '  ');
  return y + '  ...\n';
}

/** TAP version 13 of a set of records. */
export function renderTap(records: readonly AnyScenarioRecord[]): string {
  const withKernel = new Set(records.map((r) => r.kernel)).size > 1;
  let out = `TAP version 13\n1..${records.length}\n`;
  records.forEach((r, i) => {
    const status = recordStatus(r);
    const ok = status === 'pass' || status === 'flaky';
    out += `${ok ? 'ok' : 'not ok'} ${i + 1} - ${description(`${r.file}: ${runName(r, withKernel)}`)}\n${diagnostics(r)}`;
  });
  return out;
}
