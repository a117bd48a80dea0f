import { invalidArgument, type DomainError } from '../../lib/errors/domain-error';

/** What to do with a row that cannot be read: fail the task (default) or skip it and count it. */
export type OnBadRows = 'fail' | 'skip';

/** Problems kept for the log and additional_info when rows are skipped. */
export const KEPT_PROBLEMS = 5;

/** One unreadable row: where it is and what is wrong. */
export interface RowProblem {
  file: string;
  line: number;
  /** The column at fault (the first missing or the last one for a wrong field count). */
  column: string;
  problem: string;
}

/** `file:line:column: problem`, the form every report uses. */
export const describeProblem = (p: RowProblem): string => `${p.file}:${p.line}:${p.column}: ${p.problem}`;

/** INVALID_ARGUMENT for a bad row (field = the column). */
export const badRowError = (p: RowProblem): DomainError => invalidArgument('FOCUS.BAD_ROW', p.column, describeProblem(p));

/** INVALID_ARGUMENT for a file whose header lacks mandatory columns: fails under either option. */
export const missingColumnsError = (file: string, missing: readonly string[]): DomainError =>
  invalidArgument(
    'FOCUS.MISSING_COLUMNS',
    missing[0],
    `${file}:1: the header lacks the mandatory column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
  );

/** Counts bad rows under `skip` and keeps the first few; throws the first one under `fail`. */
export class BadRowTally {
  count = 0;
  readonly first: RowProblem[] = [];

  constructor(readonly mode: OnBadRows) {}

  report(p: RowProblem): void {
    if (this.mode === 'fail') throw badRowError(p);
    this.count++;
    if (this.first.length < KEPT_PROBLEMS) this.first.push(p);
  }
}
