/**
 * Bounds on what a single Query or StatQuery may ask for. Anything beyond them is
 * INVALID_ARGUMENT, so one request can neither make the store scan without end nor make
 * the process run a pathological regular expression.
 */
export const QUERY_LIMITS = {
  /** Conditions in filter and filter_or together. */
  maxConditions: 50,
  /** Values in one list (in, not_in, contain_in, not_contain_in). */
  maxListValues: 1000,
  /** Characters in one string value. */
  maxStringLength: 1024,
  /** Characters in a regex pattern (regex operator). */
  maxRegexLength: 256,
  /** Characters in a substring searched for (contain, contain_in, keyword). */
  maxContainLength: 256,
  /** Characters of all values of one contain_in / not_contain_in together. */
  maxContainInTotalLength: 4096,
  /** Characters in a map key after the map's name (tags.<key>). */
  maxMapKeyLength: 128,
  /** Sort keys in one query. */
  maxSortKeys: 10,
  /** Fields in only. */
  maxOnly: 100,
  /** group_by keys of a StatQuery. */
  maxGroupBy: 10,
  /** Computed fields of a StatQuery. */
  maxStatFields: 20,
  /** Page limit when the schema names none. */
  defaultMaxPageLimit: 1000,
} as const;
