/** The cost columns an option may choose (all mandatory in FOCUS 1.0 to 1.2). */
export const COST_COLUMNS = ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost'] as const;
export type CostColumn = (typeof COST_COLUMNS)[number];

/** FOCUS ChargeCategory values (1.0 to 1.2). */
export const CHARGE_CATEGORIES = ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'] as const;

/** Columns a file must have, whatever the options: every one is mandatory in FOCUS 1.0 to 1.2. */
export const REQUIRED_COLUMNS = ['BillingAccountId', 'BillingCurrency', 'ChargeCategory', 'ChargePeriodStart', 'ChargePeriodEnd', 'ProviderName', 'ServiceName'] as const;

/** Columns read when present. */
export const OPTIONAL_COLUMNS = ['SubAccountId', 'RegionId', 'RegionName', 'ServiceCategory', 'ConsumedQuantity', 'ConsumedUnit', 'Tags'] as const;

export type FocusColumn = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number] | CostColumn;

/** Column positions of one file's header (-1 when absent). */
export type ColumnIndex = Record<FocusColumn, number>;

/** Columns that first appeared in a version: the newest found names the file's version. */
const VERSION_MARKERS: readonly [string, readonly string[]][] = [
  ['1.2', ['InvoiceId', 'PricingCurrency', 'SubAccountType', 'BillingAccountType', 'PricingCurrencyEffectiveCost']],
  ['1.1', ['ServiceSubcategory', 'SkuMeter', 'SkuPriceDetails', 'CommitmentDiscountQuantity', 'CapacityReservationId']],
];

/** The FOCUS version a header looks like: 1.2, 1.1 or 1.0. */
export function focusVersion(header: readonly string[]): string {
  const names = new Set(header);
  for (const [version, markers] of VERSION_MARKERS) if (markers.some((m) => names.has(m))) return version;
  return '1.0';
}

/** Positions of the columns the plugin reads, and the required ones missing (the cost column included). */
export function indexColumns(header: readonly string[], costColumn: CostColumn): { index: ColumnIndex; missing: string[] } {
  const position = new Map<string, number>();
  header.forEach((name, i) => {
    const clean = name.trim();
    if (!position.has(clean)) position.set(clean, i);
  });
  const index = {} as ColumnIndex;
  for (const c of [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS, ...COST_COLUMNS]) index[c] = position.get(c) ?? -1;
  const missing = [...REQUIRED_COLUMNS, costColumn].filter((c) => index[c] < 0);
  return { index, missing };
}
