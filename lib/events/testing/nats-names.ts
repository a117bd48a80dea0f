import { randomBytes } from 'node:crypto';

/**
 * A stream name and subject roots unique to one test file, so files running in parallel
 * (separate jest workers, possibly one shared server) never overlap.
 */
export function uniqueNatsNames(label: string) {
  const r = randomBytes(4).toString('hex');
  return {
    stream: `TALLY_TEST_${label.toUpperCase()}_${r}`,
    prefix: `t${r}.${label}`,
    deadLetterPrefix: `t${r}dlq.${label}`,
  };
}
