import type { TimestampForm } from './focus-values';

/** The counts of InterpretationCounts as plain data (as they cross threads). */
export type CountsData = Pick<InterpretationCounts, 'timestamps' | 'nullLiterals' | 'emptyAsNull' | 'billingAccountForSubAccount' | 'effectiveZeroBilledPositive'>;

/** How often each thing the FOCUS spec does not allow had to be interpreted (in a file, or a piece of one). */
export class InterpretationCounts {
  readonly timestamps: Record<Exclude<TimestampForm, 'canonical'>, number> = { space_no_zone: 0, no_zone: 0, date_only: 0, offset: 0 };
  nullLiterals = 0;
  emptyAsNull = 0;
  billingAccountForSubAccount = 0;
  effectiveZeroBilledPositive = 0;

  timestamp(form: TimestampForm): void {
    if (form !== 'canonical') this.timestamps[form]++;
  }

  /** Adds counts made elsewhere (another piece of the file; a copy that crossed threads is fine). */
  absorb(c: Readonly<CountsData>): void {
    const t = this.timestamps;
    t.space_no_zone += c.timestamps.space_no_zone;
    t.no_zone += c.timestamps.no_zone;
    t.date_only += c.timestamps.date_only;
    t.offset += c.timestamps.offset;
    this.nullLiterals += c.nullLiterals;
    this.emptyAsNull += c.emptyAsNull;
    this.billingAccountForSubAccount += c.billingAccountForSubAccount;
    this.effectiveZeroBilledPositive += c.effectiveZeroBilledPositive;
  }
}

/**
 * What a file needed to be read that the FOCUS spec does not allow, counted per file so that it
 * can be logged and shown (additional_info `focus_interpreted`).
 */
export class FileInterpretations extends InterpretationCounts {
  constructor(
    readonly file: string,
    readonly version: string,
  ) {
    super();
  }

  /** Notes in words; empty when the file was clean. */
  notes(): string[] {
    const t = this.timestamps;
    const out: string[] = [];
    if (t.space_no_zone) out.push(`${t.space_no_zone} timestamps as "YYYY-MM-DD HH:MM:SS" (no T, no zone) read as UTC`);
    if (t.no_zone) out.push(`${t.no_zone} timestamps without a zone read as UTC`);
    if (t.date_only) out.push(`${t.date_only} timestamps with a date only read as midnight UTC`);
    if (t.offset) out.push(`${t.offset} timestamps with a UTC offset converted to UTC`);
    if (this.nullLiterals) out.push(`${this.nullLiterals} fields written NULL read as null`);
    if (this.emptyAsNull) out.push(`${this.emptyAsNull} empty fields read as null`);
    if (this.billingAccountForSubAccount) out.push(`${this.billingAccountForSubAccount} rows without SubAccountId mapped by BillingAccountId`);
    if (this.effectiveZeroBilledPositive) out.push(`${this.effectiveZeroBilledPositive} rows with EffectiveCost 0 and BilledCost above 0 kept as written`);
    return out;
  }

  /** `file (FOCUS v): note; note`, or '' when nothing was interpreted. */
  summary(): string {
    const notes = this.notes();
    return notes.length ? `${this.file} (FOCUS ${this.version}): ${notes.join('; ')}` : '';
  }
}
