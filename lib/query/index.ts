export { QUERY_LIMITS } from './limits';
export {
  normalizeSchema,
  storedFieldName,
  type FieldSpec,
  type FieldType,
  type MapValueType,
  type QuerySchema,
  type ScalarFieldType,
  type SortKey,
} from './schema';
export { OPERATORS, type Operator } from './operators';
export {
  andFilters,
  compileConditions,
  compileQuery,
  type CompiledQuery,
  type CompileOptions,
} from './compile';
export {
  STAT_OPERATORS,
  compareValues,
  compileStatQuery,
  pageGroups,
  type CompiledStatQuery,
  type StatGroupKey,
  type StatOperator,
} from './stat';
export { domainScope } from './domain-scope';
export { readPath } from './stat';
export { parseIsoDateTime } from './datetime';
export { escapeRegex, regexProblem } from './regex';
