import { JsonNumber, JsonSyntaxError, parseExactJson, plainDecimal } from './exact-json';

describe('exact JSON', () => {
  it('keeps numbers as their text and reads the rest as JSON.parse does', () => {
    const v = parseExactJson('{"a": 0.1000000000000000055511, "b": [1, -2.5e-7, true, null, "x\\u00e9\\n"], "c": {}}') as Record<string, unknown>;
    expect(v.a).toEqual(new JsonNumber('0.1000000000000000055511'));
    expect(v.b).toEqual([new JsonNumber('1'), new JsonNumber('-2.5e-7'), true, null, 'x\u00e9\n']);
    expect(v.c).toEqual({});
  });

  it('refuses malformed and truncated text with the offset, never the text', () => {
    for (const bad of ['{"results": [', '{"a": 1,}', '[1 2]', '{"a": 01}', '"\u0001"', '{"a": 1} x', '', 'nul']) {
      expect(() => parseExactJson(bad)).toThrow(JsonSyntaxError);
    }
    expect(() => parseExactJson('{"secret": "abc", oops}')).toThrow(/^expected '"' at offset 18$/);
    expect(() => parseExactJson('['.repeat(100))).toThrow(/nesting deeper/);
  });

  it('does not let __proto__ change the prototype', () => {
    const v = parseExactJson('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('writes JSON numbers in plain decimal notation, exactly', () => {
    expect(plainDecimal('1.5e-7')).toBe('0.00000015');
    expect(plainDecimal('-12.34E+3')).toBe('-12340');
    expect(plainDecimal('3777.55956')).toBe('3777.55956');
    expect(plainDecimal('0.1000000000000000055511')).toBe('0.1000000000000000055511');
    expect(plainDecimal('12e-1')).toBe('1.2');
  });
});
