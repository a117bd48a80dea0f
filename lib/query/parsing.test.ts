import { parseIsoDateTime } from './datetime';
import { escapeRegex, regexProblem } from './regex';

describe('parseIsoDateTime', () => {
  it.each([
    ['2024-05-01', '2024-05-01T00:00:00.000Z'],
    ['2024-05-01T10:20', '2024-05-01T10:20:00.000Z'],
    ['2024-05-01T10:20:30', '2024-05-01T10:20:30.000Z'],
    ['2024-05-01T10:20:30Z', '2024-05-01T10:20:30.000Z'],
    ['2024-05-01T10:20:30.5Z', '2024-05-01T10:20:30.500Z'],
    ['2024-05-01T10:20:30.123456789Z', '2024-05-01T10:20:30.123Z'],
    ['2024-05-01T10:20:30+02:00', '2024-05-01T08:20:30.000Z'],
    ['2024-05-01T00:30:00-0130', '2024-05-01T02:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['0099-01-01', '0099-01-01T00:00:00.000Z'],
  ])('%s is %s (UTC unless an offset is given)', (text, iso) => {
    expect(parseIsoDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each(['', '2024-5-1', '2024-05-01T', '2024-05-01T10', '1900-02-29', '2024-04-31', '2024-05-01T10:60', '2024-05-01T10:00:60Z', '2024-05-01T10:00+24:00', '2024-05-01Z', ' 2024-05-01', '2024-05-01T10:00:00z'])(
    '%j is refused',
    (text) => {
      expect(parseIsoDateTime(text)).toBeNull();
    },
  );
});

describe('regex helpers', () => {
  it('escapeRegex makes every special character literal', () => {
    const special = 'a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o';
    expect(new RegExp(`^${escapeRegex(special)}$`).test(special)).toBe(true);
    expect(new RegExp(escapeRegex('a.c')).test('abc')).toBe(false);
  });

  it.each(['^prod-', 'a+b*c?', '(ab)+', '[a-z]+(?:-[0-9]+)?', 'x{1,5}', '(?<name>a)b+', '(a|b)c', '\\(a+\\)+', '[(]a+[)]+', '(?=a+)b'])(
    '%j is accepted',
    (p) => {
      expect(regexProblem(p)).toBeNull();
    },
  );

  it.each(['(a+)+', '(a*)+', '(a+)*', '((a+))+', '(a|b)+', '(?:ab+){2,}', '(a+){3}', '(.*)*'])('%j is refused', (p) => {
    expect(regexProblem(p)).toMatch(/nested repetition/);
  });

  it('reports invalid patterns', () => {
    expect(regexProblem('(')).toMatch(/not a valid regular expression/);
    expect(regexProblem('a{2,1}')).toMatch(/not a valid regular expression/);
  });
});
