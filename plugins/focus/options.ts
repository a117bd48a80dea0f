import { invalidArgument } from '../../lib/errors/domain-error';
import type { OnBadRows } from './bad-rows';
import { CHARGE_CATEGORIES, COST_COLUMNS, type CostColumn } from './focus-columns';

/** Options of a FOCUS data source. */
export interface FocusOptions {
  costColumn: CostColumn;
  /** ChargeCategory values that count; all when unset. */
  chargeCategories?: ReadonlySet<string>;
  onBadRows: OnBadRows;
}

export const OPTIONS_SCHEMA = {
  type: 'object',
  properties: {
    cost_column: { type: 'string', enum: [...COST_COLUMNS], default: 'BilledCost', title: 'Cost column', description: 'BilledCost (invoice view), EffectiveCost (amortized), ListCost or ContractedCost' },
    charge_categories: { type: 'array', items: { type: 'string', enum: [...CHARGE_CATEGORIES] }, title: 'Charge categories', description: 'ChargeCategory values that count; all when unset' },
    on_bad_rows: { type: 'string', enum: ['fail', 'skip'], default: 'fail', title: 'Bad rows', description: 'fail the task at the first unreadable row, or skip and count unreadable rows' },
  },
} as const;

export function parseOptions(options: Record<string, unknown> | undefined): FocusOptions {
  const o = options ?? {};
  const costColumn = o.cost_column ?? 'BilledCost';
  if (typeof costColumn !== 'string' || !(COST_COLUMNS as readonly string[]).includes(costColumn))
    throw invalidArgument('FOCUS.OPTIONS_INVALID', 'options.cost_column', `options.cost_column must be one of ${COST_COLUMNS.join(', ')}`);
  const onBadRows = o.on_bad_rows ?? 'fail';
  if (onBadRows !== 'fail' && onBadRows !== 'skip') throw invalidArgument('FOCUS.OPTIONS_INVALID', 'options.on_bad_rows', 'options.on_bad_rows must be fail or skip');
  const categories = o.charge_categories;
  let chargeCategories: Set<string> | undefined;
  if (categories !== undefined && categories !== null) {
    if (!Array.isArray(categories) || categories.some((c) => typeof c !== 'string' || !(CHARGE_CATEGORIES as readonly string[]).includes(c)))
      throw invalidArgument('FOCUS.OPTIONS_INVALID', 'options.charge_categories', `options.charge_categories must list values among ${CHARGE_CATEGORIES.join(', ')}`);
    if (categories.length) chargeCategories = new Set(categories as string[]);
  }
  return { costColumn: costColumn as CostColumn, onBadRows, ...(chargeCategories ? { chargeCategories } : {}) };
}
