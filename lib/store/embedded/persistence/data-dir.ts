import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Doc, IndexSpec } from '../../port';
import { lockDataDir } from './data-dir-lock';
import type { JournalOp } from './journal-op';
import { decodeValue, encodeValue } from './json-codec';

const SNAPSHOT = 'snapshot.jsonl';
const SNAPSHOT_TMP = 'snapshot.jsonl.tmp';
const FORMAT = 'tally-embedded-store';
const VERSION = 1;
const LOG_PATTERN = /^log-(\d+)\.jsonl$/;
const CHUNK = 1 << 20;
const DEFAULT_COMPACT_BYTES = 64 << 20;

const logName = (generation: number) => `log-${generation}.jsonl`;

export interface DataDirOptions {
  /** Compact once the journal outgrows both this and the snapshot (default 64 MiB). */
  compactAfterBytes?: number;
}

export interface DataDirHooks {
  /** Applies one change while the folder is read. */
  restore(op: JournalOp): void;
  /** The whole committed state, for a snapshot. */
  dump(): Iterable<JournalOp>;
}

function encodeOp(op: JournalOp): unknown {
  return 'put' in op ? { c: op.c, put: encodeValue(op.put) } : op;
}

function decodeOp(raw: unknown, where: string): JournalOp {
  const op = raw as Record<string, unknown>;
  if (!op || typeof op.c !== 'string') throw new Error(`embedded store: bad record in ${where}`);
  if ('put' in op) return { c: op.c, put: decodeValue(op.put) as Doc };
  if (typeof op.del === 'string') return { c: op.c, del: op.del };
  if (op.ix && typeof op.ix === 'object') return { c: op.c, ix: op.ix as IndexSpec };
  throw new Error(`embedded store: bad record in ${where}`);
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buf.length) offset += fs.writeSync(fd, buf, offset, buf.length - offset);
}

function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Not every platform can fsync a folder; the rename is still atomic.
  }
}

async function* lines(file: string): AsyncGenerator<string> {
  const input = fs.createReadStream(file, 'utf8');
  const rl = readline.createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of rl) if (line.trim() !== '') yield line;
  } finally {
    rl.close();
    input.destroy();
  }
}

function parseLine(line: string, where: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`embedded store: ${where} is not valid JSON`, { cause: err });
  }
}

/**
 * The files of a persistent embedded store: a snapshot (snapshot.jsonl: a header with its
 * generation, the state as records, an end record) and the journal of changes committed
 * since (log-<generation>.jsonl, one line per commit, so a commit is replayed whole or not at
 * all). Opening replays the journal, ignoring a torn last line, and compacts it into a new
 * snapshot; so does closing. Snapshots are written to a temporary file, synced, then renamed.
 */
export class DataDir {
  private logFd: number | null = null;
  private logBytes = 0;
  private snapshotBytes = 0;
  private compactQueued = false;
  private closed = false;

  private constructor(
    readonly dir: string,
    private generation: number,
    private readonly release: () => void,
    private readonly hooks: DataDirHooks,
    private readonly compactAfterBytes: number,
  ) {}

  static async open(dir: string, hooks: DataDirHooks, options: DataDirOptions = {}): Promise<DataDir> {
    await fs.promises.mkdir(dir, { recursive: true });
    const release = lockDataDir(dir);
    try {
      let generation = 0;
      const snapshot = path.join(dir, SNAPSHOT);
      if (fs.existsSync(snapshot)) generation = await readSnapshot(snapshot, hooks.restore);
      const log = path.join(dir, logName(generation));
      const replayed = fs.existsSync(log) ? await replayLog(log, hooks.restore) : 0;
      for (const name of fs.readdirSync(dir)) {
        const m = LOG_PATTERN.exec(name);
        if (name === SNAPSHOT_TMP || (m && Number(m[1]) !== generation)) fs.rmSync(path.join(dir, name), { force: true });
      }
      const dataDir = new DataDir(dir, generation, release, hooks, options.compactAfterBytes ?? DEFAULT_COMPACT_BYTES);
      dataDir.snapshotBytes = fs.existsSync(snapshot) ? fs.statSync(snapshot).size : 0;
      if (replayed > 0) dataDir.compact();
      else dataDir.openLog();
      return dataDir;
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Appends one commit's changes as one line; on failure the log is as it was. */
  append(ops: JournalOp[]): void {
    if (this.closed || this.logFd === null) throw new Error('embedded store: the data folder is closed');
    const line = `${JSON.stringify({ ops: ops.map(encodeOp) })}\n`;
    const before = this.logBytes;
    try {
      writeAll(this.logFd, line);
    } catch (err) {
      try {
        fs.ftruncateSync(this.logFd, before);
      } catch {
        // The torn line is at the end of the log, where opening ignores it.
      }
      throw err;
    }
    this.logBytes += Buffer.byteLength(line);
    if (!this.compactQueued && this.logBytes > Math.max(this.compactAfterBytes, this.snapshotBytes)) {
      this.compactQueued = true;
      // After the change is applied: the snapshot must include it.
      setImmediate(() => {
        this.compactQueued = false;
        try {
          if (!this.closed) this.compact();
        } catch {
          // Compaction is retried when the journal grows again, and on close.
        }
      });
    }
  }

  /** Writes the current state as the next snapshot and starts an empty journal. */
  compact(): void {
    const next = this.generation + 1;
    const tmp = path.join(this.dir, SNAPSHOT_TMP);
    let bytes: number;
    try {
      bytes = writeSnapshot(tmp, next, this.hooks.dump());
      fs.renameSync(tmp, path.join(this.dir, SNAPSHOT));
    } catch (err) {
      // The previous snapshot and the journal still hold everything.
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    syncDir(this.dir);
    this.closeLog();
    fs.rmSync(path.join(this.dir, logName(this.generation)), { force: true });
    this.generation = next;
    this.snapshotBytes = bytes;
    this.openLog();
  }

  /** Compacts when anything was journaled since the last snapshot, then releases the folder. */
  close(): void {
    if (this.closed) return;
    try {
      if (this.logBytes > 0) this.compact();
    } finally {
      this.closed = true;
      this.closeLog();
      this.release();
    }
  }

  private openLog(): void {
    const file = path.join(this.dir, logName(this.generation));
    this.logFd = fs.openSync(file, 'a');
    this.logBytes = fs.fstatSync(this.logFd).size;
  }

  private closeLog(): void {
    if (this.logFd !== null) fs.closeSync(this.logFd);
    this.logFd = null;
  }
}

/** Writes a snapshot file (header, records, end record) and syncs it; returns its size. */
function writeSnapshot(file: string, generation: number, ops: Iterable<JournalOp>): number {
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  try {
    let chunk = `${JSON.stringify({ format: FORMAT, version: VERSION, generation })}\n`;
    let count = 0;
    for (const op of ops) {
      chunk += `${JSON.stringify(encodeOp(op))}\n`;
      count++;
      if (chunk.length >= CHUNK) {
        writeAll(fd, chunk);
        bytes += Buffer.byteLength(chunk);
        chunk = '';
      }
    }
    chunk += `${JSON.stringify({ end: count })}\n`;
    writeAll(fd, chunk);
    bytes += Buffer.byteLength(chunk);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

async function readSnapshot(file: string, restore: (op: JournalOp) => void): Promise<number> {
  let generation: number | null = null;
  let count = 0;
  let ended = false;
  let lineNo = 0;
  for await (const line of lines(file)) {
    const record = parseLine(line, `${file}:${++lineNo}`);
    if (generation === null) {
      if (record.format !== FORMAT || record.version !== VERSION || typeof record.generation !== 'number') {
        throw new Error(`embedded store: ${file} is not a snapshot this version can read`);
      }
      generation = record.generation;
    } else if (ended) {
      throw new Error(`embedded store: ${file} has records after its end`);
    } else if ('end' in record) {
      if (record.end !== count) throw new Error(`embedded store: ${file} is incomplete`);
      ended = true;
    } else {
      restore(decodeOp(record, file));
      count++;
    }
  }
  if (generation === null || !ended) throw new Error(`embedded store: ${file} is incomplete`);
  return generation;
}

/** Replays the journal; a torn last line (a crash while appending) is ignored. */
async function replayLog(file: string, restore: (op: JournalOp) => void): Promise<number> {
  let lineNo = 0;
  let torn: number | null = null;
  let replayed = 0;
  for await (const line of lines(file)) {
    lineNo++;
    if (torn !== null) throw new Error(`embedded store: ${file} is corrupt at line ${torn}`);
    let entry: { ops?: unknown };
    try {
      entry = JSON.parse(line) as { ops?: unknown };
    } catch {
      torn = lineNo;
      continue;
    }
    if (!Array.isArray(entry.ops)) throw new Error(`embedded store: ${file} has a bad entry at line ${lineNo}`);
    for (const op of entry.ops) restore(decodeOp(op, `${file}:${lineNo}`));
    replayed++;
  }
  return replayed + (torn === null ? 0 : 1);
}
