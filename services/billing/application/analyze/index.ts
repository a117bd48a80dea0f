/** CostService reads: Analyze over rollups, List and Stat over visible rows. */
export { analyze, type AnalyzeDeps } from './analyze';
export { ANALYZE_FILTER_SCHEMA, ANALYZE_KEYS, ANALYZE_LIMITS, OTHERS } from './analyze-schema';
export { parseAnalyzeRequest, type AnalyzeSpec } from './analyze-request';
export { COST_ROW_SCHEMA } from './cost-row-schema';
export { listCosts } from './list-costs';
export { statCosts } from './stat-costs';
