import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerSetup } from './piece-messages';

/** Idle threads kept for the next read (their compiled code stays warm). */
const KEEP_IDLE = 4;

/** From the TypeScript sources (tests), a worker compiles each module as it loads it. */
const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const ts = require(workerData.typescript);
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};
require(workerData.entry);
`;

function spawn(): Worker {
  const compiled = join(__dirname, 'piece-worker.js');
  if (existsSync(compiled)) return new Worker(compiled, { workerData: { focusPieces: true } });
  const typescript = createRequire(__filename).resolve('typescript');
  return new Worker(TS_BOOTSTRAP, { eval: true, workerData: { focusPieces: true, typescript, entry: join(__dirname, 'piece-worker.ts') } });
}

const idle: PieceThread[] = [];
const ignore = () => {};

/**
 * A worker thread running piece-worker.ts, used by one read at a time and kept idle (unref'd,
 * so it never holds the process open) between reads: a thread that has read a file has its code
 * compiled and optimised, which a new one would spend the first pieces doing.
 */
export class PieceThread {
  private readonly worker = spawn();
  private onMessage: (m: FromWorker) => void = ignore;
  private onFailure: (err: Error) => void = ignore;
  private dead = false;

  private constructor() {
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (err) => this.died(err));
    this.worker.on('exit', (code) => this.died(new Error(`focus: a piece worker stopped (exit code ${code})`)));
  }

  /** An idle thread, or a new one, started on a read with these settings. */
  static take(setup: WorkerSetup): PieceThread {
    const t = idle.pop() ?? new PieceThread();
    t.worker.ref();
    t.post({ type: 'start', setup }, []);
    return t;
  }

  post(m: ToWorker, transfer: ArrayBuffer[]): void {
    this.worker.postMessage(m, transfer);
  }

  listen(onMessage: (m: FromWorker) => void, onFailure: (err: Error) => void): void {
    this.onMessage = onMessage;
    this.onFailure = onFailure;
  }

  /** Ends its read: kept for the next one when it finished cleanly (nothing of this read pending), stopped otherwise. */
  async release(clean: boolean): Promise<void> {
    this.onMessage = ignore;
    this.onFailure = ignore;
    if (clean && !this.dead && idle.length < KEEP_IDLE) {
      this.worker.unref();
      idle.push(this);
      return;
    }
    this.dead = true;
    await this.worker.terminate();
  }

  private died(err: Error): void {
    this.dead = true;
    const i = idle.indexOf(this);
    if (i >= 0) idle.splice(i, 1);
    this.onFailure(err);
  }
}
