import { assertGroupSpec } from '../input-guards';
import type { Accumulator, Doc, GroupSpec } from '../port';
import { compareValues } from '../value-order';
import { cloneOut } from './clone-value';
import { expressionValue, splitPath } from './doc-path';
import { encodeKey } from './index-key';

/**
 * Groups documents as MongoDB's $group does: a missing key groups as null; sum adds numbers
 * and ignores everything else (0 when there are none); min and max ignore null and missing
 * (null when nothing is left); addToSet ignores missing. Groups come sorted by their keys and
 * addToSet values sorted, so results do not depend on storage order.
 */
export function groupDocs(docs: Iterable<Doc>, spec: GroupSpec): Record<string, unknown>[] {
  const keyParts = assertGroupSpec(spec).map(splitPath);
  const accs = Object.entries(spec.accumulators).map(([name, acc]) => ({
    name,
    acc,
    parts: acc.op === 'count' ? [] : splitPath(acc.field),
  }));
  const groups = new Map<string, { keys: unknown[]; states: AccState[] }>();
  for (const doc of docs) {
    const keys = keyParts.map((parts) => expressionValue(doc, parts) ?? null);
    const id = keys.length === 1 ? encodeKey(keys[0]) : JSON.stringify(keys.map(encodeKey));
    let group = groups.get(id);
    if (!group) {
      group = { keys, states: accs.map(({ acc }) => newState(acc)) };
      groups.set(id, group);
    }
    for (let i = 0; i < accs.length; i++) {
      const { acc, parts } = accs[i];
      accumulate(group.states[i], acc.op === 'count' ? 1 : expressionValue(doc, parts));
    }
  }
  const sorted = [...groups.values()].sort((a, b) => {
    for (let i = 0; i < a.keys.length; i++) {
      const c = compareValues(a.keys[i], b.keys[i]);
      if (c !== 0) return c;
    }
    return 0;
  });
  return sorted.map(({ keys, states }) => {
    const row: Record<string, unknown> = {};
    spec.keys.forEach((name, i) => (row[name] = cloneOut(keys[i])));
    accs.forEach(({ name }, i) => (row[name] = result(states[i])));
    return row;
  });
}

type AccState =
  | { op: 'count'; n: number }
  | { op: 'sum'; sum: number; carry: number; naive: number; finite: boolean }
  | { op: 'min' | 'max'; value: unknown }
  | { op: 'addToSet'; values: Map<string, unknown> };

function newState(acc: Accumulator): AccState {
  switch (acc.op) {
    case 'count':
      return { op: 'count', n: 0 };
    case 'sum':
      return { op: 'sum', sum: 0, carry: 0, naive: 0, finite: true };
    case 'addToSet':
      return { op: 'addToSet', values: new Map() };
    default:
      return { op: acc.op, value: null };
  }
}

function accumulate(state: AccState, v: unknown): void {
  switch (state.op) {
    case 'count':
      state.n += 1;
      return;
    case 'sum': {
      if (typeof v !== 'number') return;
      state.naive += v;
      if (!Number.isFinite(v)) state.finite = false;
      // Neumaier's compensated sum: close to MongoDB's double-double $sum.
      const t = state.sum + v;
      state.carry += Math.abs(state.sum) >= Math.abs(v) ? state.sum - t + v : v - t + state.sum;
      state.sum = t;
      return;
    }
    case 'min':
    case 'max': {
      if (v === undefined || v === null) return;
      if (state.value === null) state.value = v;
      else {
        const c = compareValues(v, state.value);
        if (state.op === 'min' ? c < 0 : c > 0) state.value = v;
      }
      return;
    }
    case 'addToSet': {
      if (v === undefined) return;
      const key = encodeKey(v);
      if (!state.values.has(key)) state.values.set(key, v);
    }
  }
}

function result(state: AccState): unknown {
  switch (state.op) {
    case 'count':
      return state.n;
    case 'sum':
      return state.finite ? state.sum + state.carry : state.naive;
    case 'addToSet':
      return [...state.values.values()].sort(compareValues).map(cloneOut);
    default:
      return cloneOut(state.value);
  }
}
