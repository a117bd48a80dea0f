import type { QuerySchema } from '../../../../lib/query';

/**
 * What CostService.List and Stat filter, sort and group on: the stored row's fields, its
 * attributed project_id, project_group_id (the project's group and ancestors, as in Analyze),
 * and cost / usage_quantity as numbers compared exactly against the decimal strings.
 */
export const COST_ROW_SCHEMA: QuerySchema = {
  resource: 'cost',
  fields: {
    cost_id: { type: 'string', stored: '_id' },
    billed_date: 'string',
    service_account_id: 'string',
    project_id: 'string',
    project_group_id: 'string[]',
    data_source_id: 'string',
    provider: 'string',
    product: 'string',
    region: 'string',
    usage_type: 'string',
    resource_id: 'string',
    usage_unit: 'string',
    currency: 'string',
    cost: 'number',
    usage_quantity: 'number',
    tags: { type: 'map', values: 'string' },
    additional_info: { type: 'map', values: 'string' },
  },
  keywordFields: ['provider', 'product', 'region', 'usage_type', 'resource_id'],
  defaultSort: [{ key: 'billed_date', desc: true }],
};

/** Decimal-string fields: filtered, sorted, summed, compared exactly. */
export const DECIMAL_FIELDS: ReadonlySet<string> = new Set(['cost', 'usage_quantity']);
