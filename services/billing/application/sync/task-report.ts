import { DomainError } from '../../../../lib/errors/domain-error';
import { MAX_REPORT_NOTE_CHARS, MAX_REPORT_NOTES } from '../../../../plugins/sdk';
import type { TaskReport } from './plugin-port';

/** A task's report as the job record keeps it. */
export interface CheckedReport {
  skippedRecords: number;
  notes: string[];
}

const MALFORMED_REPORT = 'PLUGIN.MALFORMED_REPORT';

/**
 * Checks the report a task's last page carried: a whole count and at most MAX_REPORT_NOTES notes
 * of at most MAX_REPORT_NOTE_CHARS characters (the SDK keeps plugins inside these bounds, so a
 * report outside them is a protocol error, refused like a malformed row). Control characters in
 * notes are shown as spaces so a note cannot forge lines in a console or a log.
 */
export function checkTaskReport(report: TaskReport, taskId: string): CheckedReport {
  const fail = (field: string, why: string): never => {
    throw new DomainError('INVALID_ARGUMENT', MALFORMED_REPORT, `the report of task ${JSON.stringify(taskId.slice(0, 60))}: ${field} ${why}; fix the plugin`, field);
  };
  const text = String(report.skippedRecords ?? '0');
  if (!/^\d{1,15}$/.test(text)) fail('skipped_records', `${JSON.stringify(text.slice(0, 30))} is not a whole number below 10^15`);
  const notes = report.notes ?? [];
  if (notes.length > MAX_REPORT_NOTES) fail('notes', `has ${notes.length} notes (at most ${MAX_REPORT_NOTES})`);
  for (const [i, note] of notes.entries()) {
    if (note.length > MAX_REPORT_NOTE_CHARS) fail(`notes[${i}]`, `is longer than ${MAX_REPORT_NOTE_CHARS} characters`);
  }
  // eslint-disable-next-line no-control-regex
  return { skippedRecords: Number(text), notes: notes.map((n) => n.replace(/[\u0000-\u001f\u007f]/g, ' ')) };
}
