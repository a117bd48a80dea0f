import type { DateWindow } from '../ports';
import { addDays } from './calendar';
import type { Segment } from './ledger-collections';

/** Windows sorted, with overlapping and adjacent ones merged. */
export function mergeWindows(windows: readonly DateWindow[]): DateWindow[] {
  const sorted = [...windows].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: DateWindow[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.start <= addDays(last.end, 1)) {
      if (w.end > last.end) last.end = w.end;
    } else {
      out.push({ start: w.start, end: w.end });
    }
  }
  return out;
}

/**
 * The visible segments after `gen` replaced `windows` (merged): the old segments are cut where
 * the windows overlap them, the windows inserted, and touching segments of one generation joined.
 */
export function spliceSegments(old: readonly Segment[], windows: readonly DateWindow[], gen: string): Segment[] {
  const merged = mergeWindows(windows);
  const pieces: Segment[] = [];
  for (const s of old) {
    let rest: Segment[] = [{ ...s }];
    for (const w of merged) {
      const next: Segment[] = [];
      for (const p of rest) {
        if (w.end < p.from || w.start > p.to) {
          next.push(p);
          continue;
        }
        if (p.from < w.start) next.push({ from: p.from, to: addDays(w.start, -1), gen: p.gen });
        if (p.to > w.end) next.push({ from: addDays(w.end, 1), to: p.to, gen: p.gen });
      }
      rest = next;
    }
    pieces.push(...rest);
  }
  for (const w of merged) pieces.push({ from: w.start, to: w.end, gen });
  pieces.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const out: Segment[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    if (last && last.gen === p.gen && addDays(last.to, 1) === p.from) last.to = p.to;
    else out.push(p);
  }
  return out;
}

/** The generation visible on a date; null when none is. */
export function visibleGenAt(segments: readonly Segment[], date: string): string | null {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segments[mid];
    if (date < s.from) hi = mid - 1;
    else if (date > s.to) lo = mid + 1;
    else return s.gen;
  }
  return null;
}

/** The date ranges on which a generation is visible. */
export function rangesOf(segments: readonly Segment[], gen: string): DateWindow[] {
  return segments.filter((s) => s.gen === gen).map((s) => ({ start: s.from, end: s.to }));
}

/** True when the segment overlaps [start, end]. */
export const overlaps = (s: Segment, start: string, end: string): boolean => s.from <= end && s.to >= start;

/** Days covered by segments (for bookkeeping: did a generation lose dates?). */
export function coveredDays(ranges: readonly DateWindow[]): number {
  let n = 0;
  for (const r of ranges) n += (Date.parse(r.end) - Date.parse(r.start)) / 86_400_000 + 1;
  return n;
}
