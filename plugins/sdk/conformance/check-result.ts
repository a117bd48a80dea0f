import type { CheckResult } from './report';

/** A check's verdict before it is timed. */
export type Verdict = Omit<CheckResult, 'name' | 'ms'>;

export const pass = (reason: string): Verdict => ({ status: 'PASS', reason });
export const skip = (reason: string): Verdict => ({ status: 'SKIP', reason });
export const fail = (reason: string, offending?: string): Verdict => ({ status: 'FAIL', reason, offending });


/** A value shown in a report, cut short. */
export function show(value: unknown, max = 300): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
