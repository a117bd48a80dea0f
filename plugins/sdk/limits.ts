/** Largest page_size a plugin may declare (rows per GetCostData page). */
export const MAX_PAGE_SIZE = 10_000;
/** page_size when a plugin's Init does not give one. */
export const DEFAULT_PAGE_SIZE = 1_000;
/** Most notes a task report carries; the SDK keeps the first ones, billing refuses more. */
export const MAX_REPORT_NOTES = 20;
/** Longest note of a task report, in characters; the SDK cuts longer ones, billing refuses them. */
export const MAX_REPORT_NOTE_CHARS = 500;
/** gRPC message limit a plugin serves with unless told otherwise (the usual client default). */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
