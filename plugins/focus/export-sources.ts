import { open, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { DomainError, invalidArgument, unauthenticated, unavailable } from '../../lib/errors/domain-error';
import type { FocusCredentials } from './credentials';
import { takeBlock } from './file-blocks';
import { PIECE_BYTES } from './file-pieces';

/** One export file: a name for messages (never the full location, which is secret) and a byte stream. */
export interface ExportSource {
  name: string;
  /** The bytes; a local file comes in blocks of about blockBytes (PIECE_BYTES unless told: the header alone needs little). */
  open(signal: AbortSignal, blockBytes?: number): Promise<Readable>;
}

/** File names read from a folder: CSV, plain or gzip. */
export const EXPORT_FILE = /\.csv(\.gz)?$/i;

export interface SourceSettings {
  /** When set, local locations must be inside this folder. */
  dataRoot?: string;
  /** Longest wait for an HTTP answer's headers. */
  requestTimeoutMs?: number;
}

const isUrl = (location: string) => /^https?:\/\//i.test(location);

/** The export files a location names: a URL, a file, or the CSV files of a folder (recursive, sorted). */
export async function listSources(credentials: FocusCredentials, settings: SourceSettings = {}): Promise<ExportSource[]> {
  const { location } = credentials;
  if (isUrl(location)) return [urlSource(location, credentials.bearerToken, settings)];
  const path = resolve(location);
  if (settings.dataRoot) {
    const root = resolve(settings.dataRoot);
    if (path !== root && !path.startsWith(root + sep))
      throw invalidArgument('FOCUS.LOCATION_OUTSIDE_ROOT', 'secret_data.location', "the location is outside the plugin's data folder (TALLY_FOCUS_DATA_ROOT)");
  }
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw invalidArgument('FOCUS.LOCATION_NOT_FOUND', 'secret_data.location', 'no file or folder at the location');
    if (err.code === 'EACCES' || err.code === 'EPERM') throw unauthenticated('the plugin may not read the location');
    throw unavailable('FOCUS.LOCATION_UNREADABLE', `the location cannot be read (${err.code ?? 'error'})`);
  });
  if (info.isFile()) return [fileSource(path, basename(path))];
  if (!info.isDirectory()) throw invalidArgument('FOCUS.LOCATION_NOT_FOUND', 'secret_data.location', 'the location is neither a file nor a folder');
  const files = (await readdir(path, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && EXPORT_FILE.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  if (!files.length) throw invalidArgument('FOCUS.NO_FILES', 'secret_data.location', 'the folder holds no .csv or .csv.gz file');
  return files.map((file) => fileSource(file, relative(path, file)));
}

function fileSource(path: string, name: string): ExportSource {
  return { name, open: async (_signal, blockBytes = PIECE_BYTES) => Readable.from(readBlocks(path, blockBytes), { objectMode: false }) };
}

/**
 * A file in blocks of `size` bytes, each in memory of its own (so that PieceCutter may hand a
 * block's middle to a worker without a copy; see file-blocks.ts). The next block is read while
 * the last is parsed.
 */
async function* readBlocks(path: string, size: number): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    for (;;) {
      const block = takeBlock(size);
      const { bytesRead } = await file.read(block, 0, size, null);
      if (bytesRead === 0) return;
      yield bytesRead === size ? block : block.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

function urlSource(location: string, bearerToken: string | undefined, settings: SourceSettings): ExportSource {
  const url = new URL(location);
  const name = decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? url.host);
  return {
    name,
    async open(signal) {
      const timeout = AbortSignal.timeout(settings.requestTimeoutMs ?? 30_000);
      let res: Response;
      try {
        res = await fetch(url, {
          headers: { accept: 'text/csv, application/gzip, */*', ...(bearerToken ? { authorization: `Bearer ${bearerToken}` } : {}) },
          signal: AbortSignal.any([signal, timeout]),
          redirect: 'follow',
        });
      } catch (err) {
        if (signal.aborted) throw err;
        throw unavailable('FOCUS.URL_UNREACHABLE', `${name}: the export's server cannot be reached${timeout.aborted ? ' in time' : ''}`);
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw unauthenticated(`${name}: the export's server refused the credentials (HTTP ${res.status})`);
      }
      if (res.status === 404 || res.status === 410) {
        await res.body?.cancel();
        throw invalidArgument('FOCUS.LOCATION_NOT_FOUND', 'secret_data.location', `${name}: no export at the URL (HTTP ${res.status})`);
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        throw new DomainError('UNAVAILABLE', 'FOCUS.URL_FAILED', `${name}: the export's server answered HTTP ${res.status}`);
      }
      return Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
    },
  };
}
