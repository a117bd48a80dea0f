import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DomainError, invalidArgument } from '../../lib/errors/domain-error';
import { CsvRecordReader, CsvSyntaxError } from './csv-records';
import type { DailyAggregator } from './daily-aggregator';
import type { ExportSource } from './export-sources';

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

async function* prepend(first: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

/**
 * Streams one export file (plain or gzip, told by its first bytes) through the CSV reader into
 * the aggregator: the header first, then each record. Stops when the signal aborts.
 */
export async function readExport(source: ExportSource, aggregator: DailyAggregator, signal: AbortSignal): Promise<void> {
  const raw = await source.open(signal);
  const streams: Readable[] = [raw];
  try {
    const it = (raw as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done) throw invalidArgument('FOCUS.EMPTY_FILE', 'secret_data.location', `${source.name}: the file is empty (no header)`);
    const gzip = isGzip(first.value);
    let body: Readable = Readable.from(prepend(first.value, it), { objectMode: false });
    streams.push(body);
    if (gzip) {
      body = pipeline(body, createGunzip(), () => {});
      streams.push(body);
    }
    const decoder = new TextDecoder('utf-8');
    const reader = new CsvRecordReader();
    let header = true;
    const take = (records: ReturnType<CsvRecordReader['push']>) => {
      for (const r of records) {
        if (header) {
          aggregator.startFile(source.name, r.fields);
          header = false;
        } else aggregator.add(r);
      }
    };
    try {
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        if (signal.aborted) throw signal.reason;
        take(reader.push(decoder.decode(chunk, { stream: true })));
      }
      take(reader.push(decoder.decode()));
      take(reader.end());
    } catch (err) {
      if (err instanceof CsvSyntaxError) throw invalidArgument('FOCUS.BAD_CSV', 'secret_data.location', `${source.name}:${err.line}: ${err.message}`);
      if (gzip && !(err instanceof DomainError) && !signal.aborted && (err as { code?: string }).code?.startsWith('Z_'))
        throw invalidArgument('FOCUS.BAD_GZIP', 'secret_data.location', `${source.name}: not a valid gzip file (${(err as Error).message})`);
      throw err;
    }
    if (header) throw invalidArgument('FOCUS.EMPTY_FILE', 'secret_data.location', `${source.name}: the file is empty (no header)`);
  } finally {
    for (const s of streams) s.destroy();
  }
}

/** The header of one export file (its first record), reading no further. */
export async function readHeader(source: ExportSource, signal: AbortSignal): Promise<string[]> {
  let header: string[] | undefined;
  const probe = {
    startFile(_file: string, fields: string[]) {
      header = fields;
      throw HEADER_READ;
    },
    add() {},
  } as unknown as DailyAggregator;
  try {
    await readExport(source, probe, signal);
  } catch (err) {
    if (err !== HEADER_READ) throw err;
  }
  if (!header) throw invalidArgument('FOCUS.EMPTY_FILE', 'secret_data.location', `${source.name}: the file is empty (no header)`);
  return header;
}

const HEADER_READ = new Error('header read');

/** Reads every export file in order into the aggregator. */
export async function readExports(sources: readonly ExportSource[], aggregator: DailyAggregator, signal: AbortSignal): Promise<void> {
  for (const s of sources) {
    if (signal.aborted) throw signal.reason;
    await readExport(s, aggregator, signal);
  }
}
