import { DomainError } from '../../../../lib/errors/domain-error';
import { MAX_REPORT_NOTE_CHARS, MAX_REPORT_NOTES } from '../../../../plugins/sdk';
import { checkTaskReport } from './task-report';

function refusal(report: Parameters<typeof checkTaskReport>[0]): DomainError {
  try {
    checkTaskReport(report, 'task-1');
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected the report to be refused');
}

describe('checkTaskReport', () => {
  it('keeps a well-formed report, with control characters in notes shown as spaces', () => {
    expect(checkTaskReport({ skippedRecords: '12', notes: ['a.csv:3:1: bad date', 'line\nforged\u001b[31m'] }, 't')).toEqual({
      skippedRecords: 12,
      notes: ['a.csv:3:1: bad date', 'line forged [31m'],
    });
    expect(checkTaskReport({ skippedRecords: '0', notes: Array.from({ length: MAX_REPORT_NOTES }, () => 'x'.repeat(MAX_REPORT_NOTE_CHARS)) }, 't').notes).toHaveLength(
      MAX_REPORT_NOTES,
    );
  });

  it.each([
    [{ skippedRecords: '-1', notes: [] }, 'skipped_records', /"-1" is not a whole number/],
    [{ skippedRecords: '1e3', notes: [] }, 'skipped_records', /"1e3" is not a whole number/],
    [{ skippedRecords: '10000000000000000', notes: [] }, 'skipped_records', /below 10\^15/],
    [{ skippedRecords: '1', notes: Array.from({ length: MAX_REPORT_NOTES + 1 }, () => 'n') }, 'notes', /has 21 notes \(at most 20\)/],
    [{ skippedRecords: '1', notes: ['ok', 'x'.repeat(MAX_REPORT_NOTE_CHARS + 1)] }, 'notes[1]', /longer than 500 characters/],
  ])('refuses %j as INVALID_ARGUMENT PLUGIN.MALFORMED_REPORT naming %s', (report, field, why) => {
    const err = refusal(report);
    expect(err).toMatchObject({ kind: 'INVALID_ARGUMENT', reason: 'PLUGIN.MALFORMED_REPORT', field });
    expect(err.message).toMatch(/^the report of task "task-1": /);
    expect(err.message).toMatch(why);
  });
});
