import { DomainError } from '../../lib/errors/domain-error';
import { addDays, assertDateRange, daysInRange, isIsoDate, monthsInRange } from './dates';

describe('dates', () => {
  it.each(['2024-02-29', '2023-12-31', '1999-01-01'])('%s is a date', (d) => expect(isIsoDate(d)).toBe(true));
  it.each(['2023-02-29', '2024-13-01', '2024-1-01', '2024-01-01T00:00:00Z', '', 20240101, null])('%j is not', (d) => expect(isIsoDate(d)).toBe(false));

  it('counts days and cuts months across year ends', () => {
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(daysInRange({ start: '2024-02-27', end: '2024-03-01' })).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    expect(daysInRange({ start: '2024-03-02', end: '2024-03-01' })).toEqual([]);
    expect(monthsInRange({ start: '2024-11-15', end: '2025-01-03' })).toEqual([
      { start: '2024-11-15', end: '2024-11-30' },
      { start: '2024-12-01', end: '2024-12-31' },
      { start: '2025-01-01', end: '2025-01-03' },
    ]);
  });

  it('assertDateRange names the bad field', () => {
    expect(assertDateRange('2024-01-01', '2024-01-01')).toEqual({ start: '2024-01-01', end: '2024-01-01' });
    const cases: [unknown, unknown, string][] = [
      ['2024-1-1', '2024-01-02', 'start_date'],
      ['2024-01-01', undefined, 'end_date'],
      ['2024-01-02', '2024-01-01', 'end_date'],
    ];
    for (const [s, e, field] of cases) {
      try {
        assertDateRange(s, e);
        throw new Error('expected a refusal');
      } catch (err) {
        expect(err).toBeInstanceOf(DomainError);
        expect((err as DomainError).field).toBe(field);
        expect((err as DomainError).kind).toBe('INVALID_ARGUMENT');
      }
    }
  });
});
