import type { Cost, CostServiceListRequest, CostServiceListResponse } from '../../../../gen/tally/billing/v1/cost';
import type { Principal } from '../../../../lib/auth/principal';
import { Decimal } from '../../../../lib/money';
import { compileQuery } from '../../../../lib/query';
import type { Store } from '../../../../lib/store/port';
import { COST_ROW_SCHEMA } from './cost-row-schema';
import { sortRows } from './row-order';
import { matchingRows, type AttributedRow } from './visible-cost-rows';

const canonical = (text: string) => Decimal.tryParse(text)?.toString() ?? text;

function toCost(r: AttributedRow, only: ReadonlySet<string> | null): Cost {
  const has = (f: string) => !only || only.has(f);
  return {
    costId: r.cost_id,
    billedDate: has('billed_date') ? r.billed_date : '',
    serviceAccountId: has('service_account_id') ? r.service_account_id : '',
    projectId: has('project_id') ? r.project_id : '',
    dataSourceId: has('data_source_id') ? r.data_source_id : '',
    provider: has('provider') ? r.provider : '',
    product: has('product') ? r.product : '',
    region: has('region') ? r.region : '',
    usageType: has('usage_type') ? r.usage_type : '',
    resourceId: has('resource_id') ? r.resource_id : '',
    usageQuantity: has('usage_quantity') ? canonical(r.usage_quantity) : '',
    usageUnit: has('usage_unit') ? r.usage_unit : '',
    cost: has('cost') ? canonical(r.cost) : '',
    currency: has('currency') ? r.currency : '',
    tags: has('tags') ? r.tags : {},
    additionalInfo: has('additional_info') ? r.additional_info : {},
  };
}

/**
 * CostService.List: visible cost rows of the caller's domain (a PROJECT_MEMBER: of its
 * projects), each with the project it is attributed to, by the core Query (COST_ROW_SCHEMA;
 * default order: newest date first). A filter on billed_date narrows what is read.
 */
export async function listCosts(deps: { store: Store }, principal: Principal, request: CostServiceListRequest): Promise<CostServiceListResponse> {
  const { filter, options } = compileQuery(request.query, COST_ROW_SCHEMA);
  const rows = await matchingRows(deps.store, principal, filter);
  sortRows(rows as unknown as Record<string, unknown>[], options.sort ?? []);
  const skip = options.skip ?? 0;
  const page = rows.slice(skip, skip + (options.limit ?? rows.length));
  const only = options.projection ? new Set(options.projection) : null;
  return { results: page.map((r) => toCost(r, only)), totalCount: rows.length };
}
