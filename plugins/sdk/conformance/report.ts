export type CheckStatus = 'PASS' | 'FAIL' | 'SKIP';

export interface CheckResult {
  /** Stable id, e.g. get_cost_data.rows. */
  name: string;
  status: CheckStatus;
  /** What was found (PASS), why it failed (FAIL) or why it did not run (SKIP). */
  reason: string;
  /** On FAIL: the first offending row, field or answer. */
  offending?: string;
  ms: number;
}

export interface ConformanceReport {
  target: string;
  /** True when no check failed. */
  ok: boolean;
  checks: CheckResult[];
  ms: number;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** One line per check, the first offending thing under a failure, and a summary line. */
export function formatReport(report: ConformanceReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length), 10);
  const lines = [`Tally plugin conformance: ${report.target}`];
  for (const c of report.checks) {
    lines.push(`${pad(c.status, 4)}  ${pad(c.name, width)}  ${c.reason} (${Math.round(c.ms)} ms)`);
    if (c.offending) lines.push(`${' '.repeat(width + 8)}first offending: ${c.offending}`);
  }
  const count = (s: CheckStatus) => report.checks.filter((c) => c.status === s).length;
  lines.push(`${count('PASS')} passed, ${count('FAIL')} failed, ${count('SKIP')} skipped in ${Math.round(report.ms)} ms: ${report.ok ? 'CONFORMS' : 'DOES NOT CONFORM'}`);
  return lines.join('\n');
}
