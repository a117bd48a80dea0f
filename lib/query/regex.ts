/** Escapes text so that it matches itself literally inside a regular expression. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Checks a user's regular expression: it must compile, and it must not nest repetition
 * (`(a+)+`, `(a*)*`, `(a|aa)+`), the shapes that backtrack exponentially. The check is a
 * conservative scan, not a proof; together with the length limit it keeps one filter from
 * stalling the process. Returns the problem, or null when the pattern is acceptable.
 */
export function regexProblem(pattern: string): string | null {
  try {
    new RegExp(pattern);
  } catch (e) {
    return `not a valid regular expression (${(e as Error).message.replace(/^Invalid regular expression: /, '')})`;
  }
  return nestedRepetition(pattern)
    ? 'nested repetition such as (a+)+ or (a|b)* is not allowed (it can take exponential time)'
    : null;
}

interface Frame {
  /** The group holds an unbounded quantifier or an alternation somewhere inside. */
  risky: boolean;
}

function nestedRepetition(p: string): boolean {
  const stack: Frame[] = [{ risky: false }];
  let lastGroupRisky: boolean | null = null; // the atom just closed, when it was a group
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    const top = stack[stack.length - 1];
    if (c === '\\') {
      i++;
      lastGroupRisky = null;
    } else if (c === '[') {
      i++;
      if (p[i] === '^') i++;
      if (p[i] === ']') i++;
      while (i < p.length && p[i] !== ']') {
        if (p[i] === '\\') i++;
        i++;
      }
      lastGroupRisky = null;
    } else if (c === '(') {
      if (p[i + 1] === '?') {
        // (?: (?= (?! (?<= (?<! (?<name>
        i += 2;
        if (p[i] === '<' && (p[i + 1] === '=' || p[i + 1] === '!')) i++;
        else if (p[i] === '<') while (i < p.length && p[i] !== '>') i++;
      }
      stack.push({ risky: false });
      lastGroupRisky = null;
    } else if (c === ')') {
      const closed = stack.length > 1 ? stack.pop()! : { risky: false };
      stack[stack.length - 1].risky ||= closed.risky;
      lastGroupRisky = closed.risky;
    } else if (c === '|') {
      top.risky = true;
      lastGroupRisky = null;
    } else if (c === '*' || c === '+' || (c === '{' && /^\{\d+,\}/.test(p.slice(i)))) {
      if (lastGroupRisky) return true;
      top.risky = true;
      if (c === '{') i = p.indexOf('}', i);
      if (p[i + 1] === '?') i++;
      lastGroupRisky = null;
    } else if (c === '{' && /^\{\d+(,\d+)?\}/.test(p.slice(i))) {
      // A bounded repeat of a risky group is still polynomial only for small bounds; be strict.
      const m = /^\{(\d+)(?:,(\d+))?\}/.exec(p.slice(i))!;
      const upper = Number(m[2] ?? m[1]);
      if (lastGroupRisky && upper > 1) return true;
      i += m[0].length - 1;
      if (p[i + 1] === '?') i++;
      lastGroupRisky = null;
    } else if (c === '?') {
      lastGroupRisky = null;
    } else {
      lastGroupRisky = null;
    }
  }
  return false;
}
