/**
 * What both buses attach to a message they move to the dead-letter subject, so an operator
 * can tell where it came from and why it failed.
 */
export const DEAD_LETTER_HEADERS = {
  subject: 'Tally-Dead-Letter-Subject',
  id: 'Tally-Dead-Letter-Id',
  durable: 'Tally-Dead-Letter-Durable',
  deliveries: 'Tally-Dead-Letter-Deliveries',
  error: 'Tally-Dead-Letter-Error',
} as const;

const MAX_ERROR_LENGTH = 512;

export interface DeadLetterInfo {
  subject: string;
  id: string;
  durable: string;
  deliveries: number;
  error: unknown;
}

/** Header values are single lines of bounded length. */
function headerValue(s: string): string {
  const line = s.replace(/[\r\n]+/g, ' ').trim();
  return line.length > MAX_ERROR_LENGTH ? `${line.slice(0, MAX_ERROR_LENGTH - 3)}...` : line;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return headerValue(`${error.name}: ${error.message}`);
  return headerValue(String(error));
}

export function deadLetterHeaders(info: DeadLetterInfo): Record<string, string> {
  return {
    [DEAD_LETTER_HEADERS.subject]: info.subject,
    [DEAD_LETTER_HEADERS.id]: info.id,
    [DEAD_LETTER_HEADERS.durable]: info.durable,
    [DEAD_LETTER_HEADERS.deliveries]: String(info.deliveries),
    [DEAD_LETTER_HEADERS.error]: errorText(info.error) || 'unknown error',
  };
}

/**
 * The id of the dead-lettered copy. It names the durable, so two consumers that both give up
 * on one message leave two copies, while a repeated attempt by one consumer is absorbed.
 */
export function deadLetterId(id: string, durable: string): string {
  return `${id}.dlq.${durable}`;
}
