import { mergeWindows, spliceSegments, visibleGenAt } from './segments';

describe('visibility segments', () => {
  it('merges overlapping and adjacent windows', () => {
    expect(
      mergeWindows([
        { start: '2024-03-01', end: '2024-03-10' },
        { start: '2024-01-01', end: '2024-01-31' },
        { start: '2024-02-01', end: '2024-02-05' },
        { start: '2024-03-05', end: '2024-03-20' },
      ]),
    ).toEqual([
      { start: '2024-01-01', end: '2024-02-05' },
      { start: '2024-03-01', end: '2024-03-20' },
    ]);
  });

  it('splices new windows into the old segments', () => {
    const old = [
      { from: '2024-01-01', to: '2024-03-31', gen: 'g1' },
      { from: '2024-04-01', to: '2024-04-30', gen: 'g2' },
    ];
    const next = spliceSegments(old, [{ start: '2024-02-10', end: '2024-04-10' }, { start: '2024-06-01', end: '2024-06-30' }], 'g3');
    expect(next).toEqual([
      { from: '2024-01-01', to: '2024-02-09', gen: 'g1' },
      { from: '2024-02-10', to: '2024-04-10', gen: 'g3' },
      { from: '2024-04-11', to: '2024-04-30', gen: 'g2' },
      { from: '2024-06-01', to: '2024-06-30', gen: 'g3' },
    ]);
    expect(visibleGenAt(next, '2024-02-09')).toBe('g1');
    expect(visibleGenAt(next, '2024-04-10')).toBe('g3');
    expect(visibleGenAt(next, '2024-05-15')).toBeNull();
    // A window inside one segment cuts it in two; the same generation again joins up.
    const inner = spliceSegments([{ from: '2024-01-01', to: '2024-01-31', gen: 'g1' }], [{ start: '2024-01-10', end: '2024-01-12' }], 'g2');
    expect(inner.map((s) => `${s.from}..${s.to}:${s.gen}`)).toEqual(['2024-01-01..2024-01-09:g1', '2024-01-10..2024-01-12:g2', '2024-01-13..2024-01-31:g1']);
    expect(spliceSegments(inner, [{ start: '2024-01-10', end: '2024-01-12' }], 'g1')).toEqual([{ from: '2024-01-01', to: '2024-01-31', gen: 'g1' }]);
  });
});
