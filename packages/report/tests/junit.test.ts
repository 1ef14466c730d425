import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { renderJunit, xmlEscape } from '../src/junit';
import type { AnyScenarioRecord } from '../src/records';
import { failingCopy, founding, sample, sampleFailing } from './record-fixtures';

const XSD = fs.readFileSync(path.join(__dirname, 'junit.xsd'), 'utf8');

/** xmllint (libxml2 as WebAssembly) against tests/junit.xsd: the errors, none when valid. */
async function invalid(xml: string): Promise<string[]> {
  const r = await validateXML({ xml: { fileName: 'report.xml', contents: xml }, schema: { fileName: 'junit.xsd', contents: XSD } });
  return r.errors.map((e) => e.rawMessage);
}

/** The testcases: their attributes and the names of their children. */
function testcases(xml: string): { classname: string; name: string; children: string[] }[] {
  return [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)">([^]*?)<\/testcase>|<testcase classname="([^"]*)" name="([^"]*)"><\/testcase>/g)].map(
    (m) => ({
      classname: m[1] ?? m[4],
      name: m[2] ?? m[5],
      children: [...(m[3] ?? '').matchAll(/^ {6}<([a-zA-Z-]+)/gm)].map((c) => c[1]),
    }),
  );
}

const hostile: AnyScenarioRecord = {
  ...sampleFailing(),
  file: 'odd & "quoted" <file>.epl',
  title: 'bell \x07, nul \0, lone \ud800 surrogate, astral 😀, ]]> and a\nnewline',
  error: 'died: \x1b[31mred\x1b[0m',
};

describe('xmlEscape', () => {
  it('escapes markup, and writes code points XML cannot carry as visible escapes', () => {
    expect(xmlEscape('<a & b>')).toBe('&lt;a &amp; b&gt;');
    expect(xmlEscape('\x00\x07\x1b\x7f\x85\ufffe')).toBe('\\x00\\x07\\x1b\\x7f\\x85\\ufffe');
    expect(xmlEscape('lone \ud800 and \udfff, pair 😀')).toBe('lone \\ud800 and \\udfff, pair 😀');
    expect(xmlEscape('tab\there\nline\r')).toBe('tab\there\nline&#13;');
  });

  it('in an attribute: quotes, and whitespace as references so that it survives normalization', () => {
    expect(xmlEscape(`"it's"\n\t`, true)).toBe('&quot;it&apos;s&quot;&#10;&#9;');
  });
});

describe('renderJunit', () => {
  it('a suite per file, a testcase per run named title [family], passes empty', () => {
    const xml = renderJunit([sample(), sample({ family: 'unix' }), sample({ file: 'b.epl' })]);
    expect(xml.split('\n').slice(0, 7)).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuites name="epl" tests="3" failures="0" errors="0">',
      '  <testsuite name="a.epl" tests="2" failures="0" errors="0" skipped="0">',
      '    <properties>',
      '      <property name="kernel" value="6.18.44"/>',
      '      <property name="family" value="tcp, unix"/>',
      '    </properties>',
    ]);
    expect(testcases(xml)).toEqual([
      { classname: 'a.epl', name: 'shutdown WR [tcp]', children: [] },
      { classname: 'a.epl', name: 'shutdown WR [unix]', children: [] },
      { classname: 'b.epl', name: 'shutdown WR [tcp]', children: [] },
    ]);
  });

  it('a failure gives the located message, expected vs got, and the steps in system-out', () => {
    const xml = renderJunit([sampleFailing()]);
    expect(xml).toContain('<failure type="expectation" message="a.epl:7:3: ~&gt; expected 5 &gt; 6 F., 6 &gt; 5 ., got 5 &gt; 6 F. (and 1 more)">');
    expect(xml).toContain(
      'a.epl:8:3: scenario "shutdown WR" [tcp]: =&gt; expectation failed\n  wait\n  expected: =&gt; 5: IN|OUT, 6: IN|OUT|RDHUP\n  got:      =&gt; 5: OUT, 6: IN|OUT|RDHUP</failure>',
    );
    const out = /<system-out>([^]*?)<\/system-out>/.exec(xml)?.[1] ?? '';
    expect(out.split('\n')).toEqual([
      'setup:',
      '     1:1     tcp 5 6               =&gt; ok',
      '             5 &gt; 6 [S]',
      '             6 &gt; 5 [S.]',
      '             5 &gt; 6 [.]',
      '     2:1     epoll 3               =&gt; ok',
      '     3:1     add 3 5 IN|OUT|RDHUP  =&gt; 0',
      '     4:1     add 3 6 IN|OUT|RDHUP  =&gt; 0',
      'scenario:',
      'FAIL 7:3     shutdown 5 WR         =&gt; 0',
      '             5 &gt; 6 [F.]',
      '             (expected ~&gt; 5 &gt; 6 F., 6 &gt; 5 .)',
      'FAIL 8:3     wait                  =&gt; 5: OUT, 6: IN|OUT|RDHUP   (expected =&gt; 5: IN|OUT, 6: IN|OUT|RDHUP)',
      '     9:3     write 5 "a"           =&gt; EPIPE',
    ]);
  });

  it('an error is an <error> at the step that did not complete; a flaky run passes with a flakyFailure and a note', () => {
    const errored = { ...sample(), pass: false, error: 'over its time budget', steps: sample().steps.slice(0, 5) };
    const flaky = sample({
      family: 'tcp6',
      attempts: 2,
      flaky: { attempts: 2, firstFailure: 'a.epl:7:3: scenario "shutdown WR" [tcp6]: ~> expectation failed' },
    });
    const xml = renderJunit([errored, flaky]);
    expect(xml).toContain('<testsuites name="epl" tests="2" failures="0" errors="1">');
    expect(testcases(xml).map((t) => t.children)).toEqual([
      ['error', 'system-out'],
      ['flakyFailure', 'system-out'],
    ]);
    expect(xml).toContain('<error type="error" message="a.epl:7:3: scenario &quot;shutdown WR&quot; [tcp]: error: over its time budget">');
    expect(xml).toContain('ERROR did not complete: over its time budget</system-out>');
    expect(xml).toContain(
      '<system-out>flaky: passed on attempt 2 of 2; the first attempt failed:\na.epl:7:3: scenario "shutdown WR" [tcp6]: ~&gt; expectation failed\n\nthe passing attempt:\n',
    );
  });

  it('names the kernel too when the records come from several', () => {
    const names = testcases(renderJunit([sample(), sample({ kernel: '4.2.0' })])).map((t) => t.name);
    expect(names).toEqual(['shutdown WR [tcp] (6.18.44)', 'shutdown WR [tcp] (4.2.0)']);
  });

  it('is valid against the schema whatever the records hold', async () => {
    const xml = renderJunit([hostile, sample(), sample({ flaky: { attempts: 3, firstFailure: '\x01' } })], { name: 'a "b" <c>' });
    expect(await invalid(xml)).toEqual([]);
    expect(xml).toContain('name="bell \\x07, nul \\x00, lone \\ud800 surrogate, astral 😀, ]]&gt; and a&#10;newline [tcp]"');
  });

  it('the schema refuses what it should: it is not a rubber stamp', async () => {
    const good = renderJunit([sample()]);
    expect(await invalid(good.replace('<properties>', '<props>').replace('</properties>', '</props>'))).not.toEqual([]);
    expect(await invalid(good.replace(' tests="1"', ''))).not.toEqual([]);
    expect(await invalid(good.replace('name="shutdown WR [tcp]"', 'name="\x01"'))).not.toEqual([]);
  });

  it('on real records of the founding file and of its failing copy', async () => {
    const good = await founding();
    const bad = await failingCopy();
    for (const records of [good.records, bad.records, [...good.records, ...bad.records]]) {
      const xml = renderJunit(records);
      expect(await invalid(xml)).toEqual([]);
      const cases = testcases(xml);
      expect(cases).toHaveLength(records.length);
      const failed = cases.filter((c) => c.children[0] === 'failure').length;
      expect(failed).toBe(records.filter((r) => !r.pass).length);
      expect(xml).toContain(`<testsuites name="epl" tests="${records.length}" failures="${failed}" errors="0">`);
    }
    const xml = renderJunit(bad.records);
    expect(xml).toContain(
      '<failure type="expectation" message="scenarios/founding/founding.epl:20:3: =&gt; expected 5: OUT, 6: IN|OUT, got 5: IN|OUT|RDHUP, 6: OUT (and 1 more)">',
    );
    expect(xml).toContain(
      'scenarios/founding/founding.epl:27:3: scenario "1. shutdown(5, SHUT_RD) is local: nothing crosses the wire" [unix]: ~&gt; expectation failed',
    );
  });
});
