// What `EPL: Run this file` says when the run is done.
import type { RunSummary } from '@epl/language-server';

/** `5 scenarios, 4 passed (kernel 6.18.44); 1 failed expectation, see Problems`. */
export function summaryText(s: RunSummary): string {
  if (s.error !== undefined) return `EPL: the file does not compile: ${s.error.split('\n')[0]}`;
  const parts = [`EPL: ${s.scenarios} scenario${s.scenarios === 1 ? '' : 's'}, ${s.passed} passed`];
  if (s.kernel !== undefined) parts[0] += ` (kernel ${s.kernel})`;
  if (s.failures.length) parts.push(`${s.failures.length} failed expectation${s.failures.length === 1 ? '' : 's'}, see Problems`);
  if (s.wireNotCaptured !== undefined) parts.push(`wire not captured: ${s.wireNotCaptured}`);
  return parts.join('; ');
}
