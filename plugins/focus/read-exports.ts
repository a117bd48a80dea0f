import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DomainError, invalidArgument } from '../../lib/errors/domain-error';
import { CsvScanner, CsvSyntaxError } from './csv-records';
import type { DailyAggregator } from './daily-aggregator';
import type { ExportSource } from './export-sources';
import { dropBlocks } from './file-blocks';
import { PIECE_BYTES, PieceCutter } from './file-pieces';
import type { WorkerSetup } from './piece-messages';
import { defaultWorkers, PiecePool, type PieceChannel } from './piece-pool';
import { PieceSequence } from './piece-sequence';

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

async function* prepend(first: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}

/** A CSV syntax error or a corrupt gzip stream as INVALID_ARGUMENT naming the file; anything else as it is. */
function readError(err: unknown, source: ExportSource, gzip: boolean, signal: AbortSignal): unknown {
  if (err instanceof CsvSyntaxError) return invalidArgument('FOCUS.BAD_CSV', 'secret_data.location', `${source.name}:${err.line}: ${err.message}`);
  if (gzip && !(err instanceof DomainError) && !signal.aborted && (err as { code?: string }).code?.startsWith('Z_'))
    return invalidArgument('FOCUS.BAD_GZIP', 'secret_data.location', `${source.name}: not a valid gzip file (${(err as Error).message})`);
  return err;
}

/** Bytes read at a time for a header alone. */
const HEADER_BLOCK = 64 << 10;

const emptyFile = (name: string) => invalidArgument('FOCUS.EMPTY_FILE', 'secret_data.location', `${name}: the file is empty (no header)`);

/** How a read is spread over threads. */
export interface ReadOptions {
  /** Worker threads besides this one (0: read in this thread only); one per other core by default. */
  workers?: number;
  /** Bytes per piece handed to a thread. */
  pieceBytes?: number;
  /** How workers are reached: threads (tests may answer in this thread). */
  channel?: (setup: WorkerSetup) => PieceChannel;
}

/** Opens an export file as bytes: plain or gzip, told by its first bytes. */
async function openBytes(source: ExportSource, signal: AbortSignal, streams: Readable[], blockBytes?: number): Promise<{ body: AsyncIterable<Uint8Array>; gzip: boolean }> {
  const raw = await source.open(signal, blockBytes);
  streams.push(raw);
  const it = (raw as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) throw emptyFile(source.name);
  const gzip = isGzip(first.value);
  let body: Readable = Readable.from(prepend(first.value, it), { objectMode: false });
  streams.push(body);
  if (gzip) {
    body = pipeline(body, createGunzip(), () => {});
    streams.push(body);
  }
  return { body: body as AsyncIterable<Uint8Array>, gzip };
}

/**
 * Streams one export file (plain or gzip) into the aggregator: the header first, then the data in
 * pieces of about pieceBytes cut at line breaks, read in this thread or by the pool's workers and
 * confirmed in file order (PieceSequence). Memory holds a few pieces at most. Stops when the
 * signal aborts.
 */
export async function readExport(source: ExportSource, aggregator: DailyAggregator, signal: AbortSignal, pool: PiecePool | null = null, pieceBytes = PIECE_BYTES): Promise<void> {
  const streams: Readable[] = [];
  try {
    const { body, gzip } = await openBytes(source, signal, streams, pieceBytes);
    const header = new CsvScanner();
    const cutter = new PieceCutter(pieceBytes);
    let pieces: PieceSequence | null = null;
    const start = () => {
      aggregator.startFile(source.name, header.record().fields);
      cutter.push(header.data.subarray(header.offset));
      return new PieceSequence(aggregator, pool, header.nextLine, pieceBytes);
    };
    try {
      for await (const chunk of body) {
        if (signal.aborted) throw signal.reason;
        if (pieces === null) {
          header.feed(chunk);
          if (header.next()) pieces = start();
        } else cutter.push(chunk);
        if (pieces === null) continue;
        for (let piece = cutter.take(); piece; piece = cutter.take()) await pieces.add(piece, false);
      }
      if (pieces === null) {
        header.finish();
        if (!header.next()) throw emptyFile(source.name);
        pieces = start();
      }
      await pieces.add(cutter.rest(), true);
      await pieces.end();
    } catch (err) {
      throw readError(err, source, gzip, signal);
    }
  } finally {
    for (const s of streams) s.destroy();
  }
}

/** The header of one export file (its first record), reading no further. */
export async function readHeader(source: ExportSource, signal: AbortSignal): Promise<string[]> {
  const streams: Readable[] = [];
  try {
    const { body, gzip } = await openBytes(source, signal, streams, HEADER_BLOCK);
    const scanner = new CsvScanner();
    try {
      for await (const chunk of body) {
        if (signal.aborted) throw signal.reason;
        scanner.feed(chunk);
        if (scanner.next()) return scanner.record().fields;
      }
      scanner.finish();
      if (scanner.next()) return scanner.record().fields;
    } catch (err) {
      throw readError(err, source, gzip, signal);
    }
    throw emptyFile(source.name);
  } finally {
    for (const s of streams) s.destroy();
  }
}

/** Reads every export file in order into the aggregator, with worker threads for the large ones. */
export async function readExports(sources: readonly ExportSource[], aggregator: DailyAggregator, signal: AbortSignal, options: ReadOptions = {}): Promise<void> {
  const workers = options.workers ?? defaultWorkers();
  const { costColumn, chargeCategories, account, range } = aggregator.settings;
  const pool = workers > 0 ? new PiecePool({ settings: { costColumn, chargeCategories, account, range }, stopAtFirst: aggregator.stopAtFirst }, workers, options.channel) : null;
  let clean = false;
  try {
    for (const s of sources) {
      if (signal.aborted) throw signal.reason;
      await readExport(s, aggregator, signal, pool, options.pieceBytes);
    }
    for (const w of pool?.workers ?? []) aggregator.mergeData(await w.totals());
    clean = true;
  } finally {
    await pool?.stop(clean);
    dropBlocks();
  }
}
