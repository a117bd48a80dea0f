/**
 * NATS subject rules shared by both buses: tokens separated by '.', '*' matches one token,
 * '>' (last token only) matches one or more.
 */

const TOKEN = /^[^\s.*>]+$/;

/** A subject a message can be published to: no wildcards, no empty tokens. */
export function isPublishSubject(subject: string): boolean {
  return subject.length > 0 && subject.split('.').every((t) => TOKEN.test(t));
}

/** A subscription filter: like a publish subject, but '*' anywhere and '>' as the last token. */
export function isFilterSubject(filter: string): boolean {
  if (filter.length === 0) return false;
  const tokens = filter.split('.');
  return tokens.every((t, i) => TOKEN.test(t) || t === '*' || (t === '>' && i === tokens.length - 1));
}

export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

export function assertPublishSubject(subject: string, what = 'subject'): void {
  if (!isPublishSubject(subject)) throw new Error(`invalid ${what} ${JSON.stringify(subject)}: wildcards and empty tokens are not allowed`);
}

export function assertFilterSubject(filter: string, what = 'subject filter'): void {
  if (!isFilterSubject(filter)) throw new Error(`invalid ${what} ${JSON.stringify(filter)}`);
}

/** True when every subject that `filter` matches is also matched by `pattern`. */
export function subjectCovers(pattern: string, filter: string): boolean {
  const p = pattern.split('.');
  const f = filter.split('.');
  for (let i = 0; i < p.length; i++) {
    if (i >= f.length) return false;
    if (p[i] === '>') return true;
    if (f[i] === '>') return false;
    if (p[i] !== '*' && (f[i] === '*' || p[i] !== f[i])) return false;
  }
  return p.length === f.length;
}
