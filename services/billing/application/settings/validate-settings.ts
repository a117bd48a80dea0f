import { invalidArgument } from '../../../../lib/errors/domain-error';
import { assertCurrencyCode } from '../../../../lib/money';
import type { AttributionMode, SettingsRecord } from '../../domain/records';

/** A change of settings; absent fields keep their value. */
export interface SettingsChange {
  currency?: string;
  /** FOLLOW_ACCOUNT or AS_OF_DATE; empty or absent keeps the current mode. */
  attributionMode?: string;
  firstSyncMonths?: number;
  scheduleHours?: number;
  hyperbillingEnabled?: boolean;
}

export const SETTINGS_LIMITS = {
  firstSyncMonths: { min: 1, max: 36 },
  /** 0 turns the schedule of new data sources off; at most a week between re-pulls. */
  scheduleHours: { min: 0, max: 168 },
} as const;

export const ATTRIBUTION_MODES: readonly AttributionMode[] = ['FOLLOW_ACCOUNT', 'AS_OF_DATE'];

/** A whole number within [min, max], else INVALID_ARGUMENT naming the field. */
export function checkWholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument('FIELD.OUT_OF_RANGE', field, `${field} must be a whole number from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** Checks a change and returns the fields to store. */
export function validateSettingsChange(c: SettingsChange): Partial<SettingsRecord> {
  const set: Partial<SettingsRecord> = {};
  if (c.currency !== undefined) set.currency = assertCurrencyCode(c.currency, 'currency');
  if (c.attributionMode !== undefined && c.attributionMode !== '') {
    if (!ATTRIBUTION_MODES.includes(c.attributionMode as AttributionMode)) {
      throw invalidArgument(
        'SETTINGS.INVALID_ATTRIBUTION_MODE',
        'attribution_mode',
        `attribution_mode must be one of ${ATTRIBUTION_MODES.join(', ')}, got ${JSON.stringify(String(c.attributionMode).slice(0, 40))}`,
      );
    }
    set.attribution_mode = c.attributionMode as AttributionMode;
  }
  if (c.firstSyncMonths !== undefined) {
    const { min, max } = SETTINGS_LIMITS.firstSyncMonths;
    set.first_sync_months = checkWholeNumber(c.firstSyncMonths, 'first_sync_months', min, max);
  }
  if (c.scheduleHours !== undefined) {
    const { min, max } = SETTINGS_LIMITS.scheduleHours;
    set.schedule_hours = checkWholeNumber(c.scheduleHours, 'schedule_hours', min, max);
  }
  if (c.hyperbillingEnabled !== undefined) {
    if (typeof c.hyperbillingEnabled !== 'boolean') {
      throw invalidArgument('FIELD.INVALID', 'hyperbilling_enabled', 'hyperbilling_enabled must be true or false');
    }
    set.hyperbilling_enabled = c.hyperbillingEnabled;
  }
  return set;
}
