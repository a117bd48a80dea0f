/**
 * The HPACK static table (RFC 7541 Appendix A): 61 fixed entries every HTTP/2 peer shares, so a
 * common field costs one byte on the wire. Index 1 is the first entry; index 0 is never valid.
 */

/** Field names by static index; slot 0 is a placeholder so that `STATIC_NAMES[i]` is entry i. */
export const STATIC_NAMES: readonly string[] = [
  '',
  ':authority',
  ':method',
  ':method',
  ':path',
  ':path',
  ':scheme',
  ':scheme',
  ':status',
  ':status',
  ':status',
  ':status',
  ':status',
  ':status',
  ':status',
  'accept-charset',
  'accept-encoding',
  'accept-language',
  'accept-ranges',
  'accept',
  'access-control-allow-origin',
  'age',
  'allow',
  'authorization',
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-length',
  'content-location',
  'content-range',
  'content-type',
  'cookie',
  'date',
  'etag',
  'expect',
  'expires',
  'from',
  'host',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-range',
  'if-unmodified-since',
  'last-modified',
  'link',
  'location',
  'max-forwards',
  'proxy-authenticate',
  'proxy-authorization',
  'range',
  'referer',
  'refresh',
  'retry-after',
  'server',
  'set-cookie',
  'strict-transport-security',
  'transfer-encoding',
  'user-agent',
  'vary',
  'via',
  'www-authenticate',
];

/** Field values by static index (empty for the entries that only name a field). */
export const STATIC_VALUES: readonly string[] = (() => {
  const values = new Array<string>(STATIC_NAMES.length).fill('');
  values[2] = 'GET';
  values[3] = 'POST';
  values[4] = '/';
  values[5] = '/index.html';
  values[6] = 'http';
  values[7] = 'https';
  values[8] = '200';
  values[9] = '204';
  values[10] = '206';
  values[11] = '304';
  values[12] = '400';
  values[13] = '404';
  values[14] = '500';
  values[16] = 'gzip, deflate';
  return values;
})();

/** Number of static entries: dynamic table indices start right after it. */
export const STATIC_TABLE_LENGTH = STATIC_NAMES.length - 1;

/**
 * For the encoder: the static entries of one field name, the first index carrying that name (a
 * name-only match) and the index of each exact value.
 */
export interface StaticNameEntry {
  readonly nameIndex: number;
  readonly valueIndex: ReadonlyMap<string, number>;
}

/** Static entries by field name, built once so the encoder finds a match with two map lookups. */
export const STATIC_BY_NAME: ReadonlyMap<string, StaticNameEntry> = (() => {
  const byName = new Map<string, { nameIndex: number; valueIndex: Map<string, number> }>();
  for (let i = 1; i <= STATIC_TABLE_LENGTH; i++) {
    const name = STATIC_NAMES[i]!;
    let entry = byName.get(name);
    if (!entry) byName.set(name, (entry = { nameIndex: i, valueIndex: new Map() }));
    if (!entry.valueIndex.has(STATIC_VALUES[i]!)) entry.valueIndex.set(STATIC_VALUES[i]!, i);
  }
  return byName;
})();
