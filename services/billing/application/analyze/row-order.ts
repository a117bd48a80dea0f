import { Decimal } from '../../../../lib/money';
import { compareValues, readPath } from '../../../../lib/query';
import type { SortSpec } from '../../../../lib/store/port';
import { DECIMAL_FIELDS } from './cost-row-schema';

/** Compares two values: Decimals (and decimal fields) exactly, anything else as the store orders it. */
export function compareAny(a: unknown, b: unknown, decimal: boolean): number {
  if (a instanceof Decimal || b instanceof Decimal || decimal) {
    const x = a instanceof Decimal ? a : typeof a === 'string' ? Decimal.tryParse(a) : null;
    const y = b instanceof Decimal ? b : typeof b === 'string' ? Decimal.tryParse(b) : null;
    if (x && y) return x.compare(y);
    if (!x || !y) return x ? 1 : y ? -1 : 0;
  }
  return compareValues(a ?? null, b ?? null);
}

/** Sorts rows in place by sort specs over their paths (decimal fields compared exactly). */
export function sortRows<T extends Record<string, unknown>>(rows: T[], sort: readonly SortSpec[]): T[] {
  return rows.sort((a, b) => {
    for (const s of sort) {
      const c = compareAny(readPath(a, s.field), readPath(b, s.field), DECIMAL_FIELDS.has(s.field));
      if (c !== 0) return c * s.direction;
    }
    return 0;
  });
}

