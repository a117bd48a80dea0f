import type { Document } from 'mongodb';
import type { Accumulator, Filter, GroupSpec } from '../port';
import { compareValues } from '../value-order';

function accumulator(acc: Accumulator): Document {
  switch (acc.op) {
    case 'count':
      return { $sum: 1 };
    case 'sum':
      return { $sum: `$${acc.field}` };
    case 'min':
      return { $min: `$${acc.field}` };
    case 'max':
      return { $max: `$${acc.field}` };
    case 'addToSet':
      return { $addToSet: `$${acc.field}` };
  }
}

/**
 * The pipeline for Collection.group: $match, then $group on the keys (each wrapped in $ifNull
 * so a missing key groups with null, as the embedded store does), sorted by the keys. Keys
 * and accumulators get positional names (k0, a0) because output names may hold dots.
 */
export function groupPipeline(filter: Filter, spec: GroupSpec): Document[] {
  const _id =
    spec.keys.length === 0
      ? null
      : Object.fromEntries(spec.keys.map((key, i) => [`k${i}`, { $ifNull: [`$${key}`, null] }]));
  const group: Document = { _id };
  Object.values(spec.accumulators).forEach((acc, i) => (group[`a${i}`] = accumulator(acc)));
  return [{ $match: filter }, { $group: group }, { $sort: { _id: 1 } }];
}

/** Turns $group output rows into the port's shape: keys and accumulators by their names. */
export function groupRows(rows: Document[], spec: GroupSpec): Record<string, unknown>[] {
  const accs = Object.entries(spec.accumulators);
  return rows.map((r) => {
    const row: Record<string, unknown> = {};
    spec.keys.forEach((key, i) => (row[key] = (r._id as Document)[`k${i}`] ?? null));
    accs.forEach(([name, acc], i) => {
      const value = r[`a${i}`];
      row[name] = acc.op === 'addToSet' ? [...(value as unknown[])].sort(compareValues) : value;
    });
    return row;
  });
}
