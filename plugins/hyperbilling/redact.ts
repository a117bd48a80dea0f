import { CENSOR } from '../../lib/secrets/redact';

/** Where each of the given values occurs in the text, as [start, end) spans. */
function spansOf(text: string, values: readonly string[]): [number, number][] {
  const spans: [number, number][] = [];
  for (const v of values) {
    if (!v) continue;
    for (let at = text.indexOf(v); at !== -1; at = text.indexOf(v, at + 1)) spans.push([at, at + v.length]);
  }
  return spans;
}

/**
 * Removes anything that looks like key material or a token from text that came from outside
 * (an API's error message, a library's error): PEM blocks, JWTs and long base64 runs. Used
 * before such text goes into a log line or an error message.
 *
 * `keep` names values known not to be secret (the account id the request was about): a JWT or
 * base64 lookalike lying wholly inside one of them is left as it is, so that a long account id
 * still shows. Anything else around them is censored as before, and PEM blocks always are.
 */
export function redactKeyMaterial(text: string, keep: readonly string[] = []): string {
  const unlessKept = (pattern: RegExp) => (t: string) => {
    const kept = spansOf(t, keep);
    return t.replace(pattern, (match: string, offset: number) => (kept.some(([s, e]) => offset >= s && offset + match.length <= e) ? match : CENSOR));
  };
  const steps = [
    (t: string) => t.replace(/-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g, CENSOR),
    unlessKept(/eyJ[\w-]*\.[\w-]*\.?[\w-]*/g),
    unlessKept(/[A-Za-z0-9+/_=-]{40,}/g),
  ];
  return steps.reduce((t, step) => step(t), text);
}

/** External text made safe and short for a message: one line, key material removed (`keep` as for redactKeyMaterial). */
export function safeSnippet(text: string, max = 300, keep: readonly string[] = []): string {
  const oneLine = redactKeyMaterial(text, keep).replace(/\p{Cc}+/gu, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}...` : oneLine;
}
