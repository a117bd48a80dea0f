/** Calendar dates of the mirror, YYYY-MM-DD in UTC (assignment history is kept in days). */

const DAY_MS = 86_400_000;

export const utcDate = (at: Date): string => at.toISOString().slice(0, 10);

/** The day before a YYYY-MM-DD date. */
export const dayBefore = (date: string): string => utcDate(new Date(Date.parse(`${date}T00:00:00Z`) - DAY_MS));
