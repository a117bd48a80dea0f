import type { TaskReport } from '../../gen/tally/plugin/billing/v1/plugin';
import { redactSecrets, secretStrings } from '../../lib/secrets/redact';
import { MAX_REPORT_NOTE_CHARS, MAX_REPORT_NOTES } from './limits';
import type { TaskReportInput } from './types';

/**
 * Holds what a GetCostData call reports about its task, held to the protocol's bounds: a whole
 * count, at most MAX_REPORT_NOTES notes cut to MAX_REPORT_NOTE_CHARS, and the call's secret
 * values censored from the notes (a note quoting a bad record must not quote a credential).
 */
export class TaskReporter {
  private current: TaskReport | undefined;
  private readonly secrets: string[];

  constructor(secretData: unknown) {
    this.secrets = secretStrings(secretData);
  }

  set(input: TaskReportInput): void {
    const skipped = input.skippedRecords ?? 0;
    if (!Number.isSafeInteger(skipped) || skipped < 0) throw new TypeError(`report: skippedRecords must be a whole number >= 0, got ${String(skipped)}`);
    const notes = (input.notes ?? []).slice(0, MAX_REPORT_NOTES).map((n) => cut(redactSecrets(String(n), this.secrets)));
    this.current = { skippedRecords: String(skipped), notes };
  }

  /** The report to send, or undefined when the plugin reported nothing worth sending. */
  get report(): TaskReport | undefined {
    const r = this.current;
    return r && (r.skippedRecords !== '0' || r.notes.length > 0) ? r : undefined;
  }
}

const cut = (note: string): string => (note.length <= MAX_REPORT_NOTE_CHARS ? note : `${note.slice(0, MAX_REPORT_NOTE_CHARS - 1)}…`);
