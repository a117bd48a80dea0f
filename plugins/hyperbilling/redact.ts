/**
 * Removes anything that looks like key material or a token from text that came from outside
 * (an API's error message, a library's error): PEM blocks, JWTs and long base64 runs. Used
 * before such text goes into a log line or an error message.
 */
export function redactKeyMaterial(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z ]+-----[\s\S]*?(-----END [A-Z ]+-----|$)/g, '[REDACTED]')
    .replace(/eyJ[\w-]*\.[\w-]*\.?[\w-]*/g, '[REDACTED]')
    .replace(/[A-Za-z0-9+/_=-]{40,}/g, '[REDACTED]');
}

/** External text made safe and short for a message: one line, key material removed. */
export function safeSnippet(text: string, max = 300): string {
  const oneLine = redactKeyMaterial(text).replace(/\p{Cc}+/gu, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}...` : oneLine;
}
