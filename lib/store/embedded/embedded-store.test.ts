import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuplicateKeyError, type Doc, type Store, type TxContext } from '../port';
import { runStoreContract } from '../store-contract';
import { createEmbeddedStore } from './embedded-store';
import * as filterMatch from './filter-match';

const tempDirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-store-'));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The folder as a crash would leave it: a copy taken while the store is still open. */
const crashCopy = (dir: string) => {
  const copy = tempDir();
  fs.cpSync(dir, copy, { recursive: true });
  return copy;
};

const logFile = (dir: string) => {
  const name = fs.readdirSync(dir).find((f) => /^log-\d+\.jsonl$/.test(f));
  if (!name) throw new Error(`no log in ${dir}`);
  return path.join(dir, name);
};

runStoreContract('embedded, in memory', () => createEmbeddedStore());

runStoreContract('embedded, with a data folder', () => createEmbeddedStore({ dataDir: tempDir() }));

describe('embedded store: persistence', () => {
  const special = {
    _id: 'special',
    at: new Date('2024-02-29T12:00:00.123Z'),
    nan: NaN,
    inf: -Infinity,
    negZero: -0,
    dollar: { $date: 5, $obj: 'x' },
    list: [new Date(0), { $num: 'no' }, null],
    text: 'line\nbreak \u2028 "quoted"',
  };

  it('sees after reopening what was written before closing: documents, changes, deletions, indexes', async () => {
    const dir = tempDir();
    const store = await createEmbeddedStore({ dataDir: dir });
    await store.ensureIndexes('users', [{ name: 'email_1', fields: ['email'], unique: true }]);
    const users = store.collection('users');
    await users.insertOne({ _id: 'u1', email: 'a@x', n: 1 });
    await users.insertOne({ _id: 'u2', email: 'b@x' });
    await users.insertOne({ _id: 'u3', email: 'c@x' });
    await users.updateOne({ _id: 'u1' }, { $inc: { n: 4 } });
    await users.deleteOne({ _id: 'u2' });
    await store.collection('misc').insertOne(special);
    await store.close();

    const reopened = await createEmbeddedStore({ dataDir: dir });
    const again = reopened.collection('users');
    expect(await again.find({}, { sort: [{ field: '_id', direction: 1 }] })).toEqual([
      { _id: 'u1', email: 'a@x', n: 5 },
      { _id: 'u3', email: 'c@x' },
    ]);
    expect(await reopened.collection('misc').findOne({ _id: 'special' })).toEqual(special);
    expect(Object.is((await reopened.collection('misc').findOne({}))?.negZero, -0)).toBe(true);
    await expect(again.insertOne({ _id: 'u4', email: 'a@x' })).rejects.toBeInstanceOf(DuplicateKeyError);
    await again.insertOne({ _id: 'u4', email: 'd@x' });
    await reopened.close();

    const third = await createEmbeddedStore({ dataDir: dir });
    expect(await third.collection('users').count({})).toBe(3);
    await third.close();
  });

  it('keeps a partial unique index as partial after reopening', async () => {
    const dir = tempDir();
    const store = await createEmbeddedStore({ dataDir: dir });
    await store.ensureIndexes('c', [{ name: 'domain_key', fields: ['domain', 'key'], unique: true, partial: true }]);
    await store.collection('c').insertOne({ _id: 'a', domain: 'd', key: 'k' });
    await store.close();

    const reopened = await createEmbeddedStore({ dataDir: dir });
    const c = reopened.collection('c');
    await reopened.ensureIndexes('c', [{ name: 'domain_key', fields: ['domain', 'key'], unique: true, partial: true }]);
    await c.insertOne({ _id: 'b', domain: 'd' });
    await c.insertOne({ _id: 'c', domain: 'd' });
    await expect(c.insertOne({ _id: 'x', domain: 'd', key: 'k' })).rejects.toMatchObject({ index: 'domain_key' });
    expect(await c.count({ domain: 'd' })).toBe(3);
    await reopened.close();
  });

  it('recovers what was committed when the process dies without closing', async () => {
    const dir = tempDir();
    const store = await createEmbeddedStore({ dataDir: dir });
    await store.ensureIndexes('c', [{ name: 'k_1', fields: ['k'], unique: true }]);
    await store.collection('c').insertOne({ _id: 'a', k: 1 });
    await store.transaction(async (tx) => {
      await tx.collection('c').insertOne({ _id: 'b', k: 2 });
      await tx.collection('d').insertOne({ _id: 'x' });
    });
    const copy = crashCopy(dir);
    await store.close();

    const recovered = await createEmbeddedStore({ dataDir: copy });
    expect(await recovered.collection('c').count({})).toBe(2);
    expect(await recovered.collection('d').count({})).toBe(1);
    await expect(recovered.collection('c').insertOne({ _id: 'z', k: 1 })).rejects.toBeInstanceOf(DuplicateKeyError);
    await recovered.close();
  });

  it('ignores a torn last line of the log (a crash while appending) and carries on', async () => {
    const dir = tempDir();
    const store = await createEmbeddedStore({ dataDir: dir });
    await store.collection('c').insertOne({ _id: 'a', v: 1 });
    await store.collection('c').insertOne({ _id: 'b', v: 2 });
    const copy = crashCopy(dir);
    await store.close();
    fs.appendFileSync(logFile(copy), '{"ops":[{"c":"c","put":{"_id":"torn","v":');

    const recovered = await createEmbeddedStore({ dataDir: copy });
    const c = recovered.collection('c');
    expect((await c.find({})).map((d) => d._id).sort()).toEqual(['a', 'b']);
    await c.insertOne({ _id: 'after', v: 3 });
    await recovered.close();

    const again = await createEmbeddedStore({ dataDir: copy });
    expect((await again.collection('c').find({})).map((d) => d._id).sort()).toEqual(['a', 'after', 'b']);
    await again.close();
  });

  it('refuses to open a log damaged in the middle rather than lose data silently', async () => {
    const dir = tempDir();
    const store = await createEmbeddedStore({ dataDir: dir });
    await store.collection('c').insertOne({ _id: 'a' });
    await store.collection('c').insertOne({ _id: 'b' });
    const copy = crashCopy(dir);
    await store.close();
    const log = logFile(copy);
    const lines = fs.readFileSync(log, 'utf8').split('\n');
    lines[0] = lines[0].slice(0, 10);
    fs.writeFileSync(log, lines.join('\n'));
    await expect(createEmbeddedStore({ dataDir: copy })).rejects.toThrow(/corrupt at line 1/);
  });

  it('does not persist a rolled-back transaction', async () => {
    const dir = tempDir();
    const store = await createEmbeddedStore({ dataDir: dir });
    await store.collection('c').insertOne({ _id: 'kept', v: 1 });
    await expect(
      store.transaction(async (tx) => {
        await tx.collection('c').insertOne({ _id: 'rolled-back' });
        await tx.collection('c').updateOne({ _id: 'kept' }, { $set: { v: 2 } });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const copy = crashCopy(dir);
    expect(fs.readFileSync(logFile(copy), 'utf8')).not.toContain('rolled-back');
    await store.close();

    for (const folder of [dir, copy]) {
      const reopened = await createEmbeddedStore({ dataDir: folder });
      expect(await reopened.collection('c').find({})).toEqual([{ _id: 'kept', v: 1 }]);
      await reopened.close();
    }
  });

  it('writes a transaction to the log as one line', async () => {
    const dir = tempDir();
    const store = await createEmbeddedStore({ dataDir: dir });
    await store.transaction(async (tx) => {
      for (let i = 0; i < 5; i++) await tx.collection('c').insertOne({ _id: `t${i}` });
    });
    const lines = fs.readFileSync(logFile(dir), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).ops).toHaveLength(5);
    await store.close();
  });

  it('writes an insertMany to the log as one line: after a crash the list is there whole, or not at all', async () => {
    const dir = tempDir();
    const store = await createEmbeddedStore({ dataDir: dir });
    await store.ensureIndexes('c', [{ name: 'k_1', fields: ['k'], unique: true }]);
    await store.collection('c').insertMany([0, 1, 2, 3].map((i) => ({ _id: `m${i}`, k: i })));
    await expect(store.collection('c').insertMany([{ _id: 'x', k: 9 }, { _id: 'y', k: 0 }])).rejects.toBeInstanceOf(DuplicateKeyError);
    const copy = crashCopy(dir);
    await store.close();
    const lines = fs.readFileSync(logFile(copy), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).ops.length)).toEqual([1, 4]);

    const recovered = await createEmbeddedStore({ dataDir: copy });
    expect((await recovered.collection('c').find({ k: { $gte: 0 } })).map((d) => d._id).sort()).toEqual(['m0', 'm1', 'm2', 'm3']);
    await expect(recovered.collection('c').insertOne({ _id: 'z', k: 3 })).rejects.toBeInstanceOf(DuplicateKeyError);
    await recovered.close();

    // The same list torn while it was appended (the process died mid-write): none of it comes back.
    const other = tempDir();
    const empty = await createEmbeddedStore({ dataDir: other });
    const beforeList = crashCopy(other);
    await empty.close();
    fs.appendFileSync(logFile(beforeList), lines[1].slice(0, -20));
    const again = await createEmbeddedStore({ dataDir: beforeList });
    expect(await again.collection('c').count({})).toBe(0);
    await again.collection('c').insertOne({ _id: 'm0', k: 0 });
    await again.close();
  });

  it('compacts the log into the snapshot when closing', async () => {
    const dir = tempDir();
    const store = await createEmbeddedStore({ dataDir: dir });
    await store.collection('c').insertOne({ _id: 'a' });
    await store.close();
    expect(fs.readFileSync(logFile(dir), 'utf8')).toBe('');
    expect(fs.readFileSync(path.join(dir, 'snapshot.jsonl'), 'utf8')).toContain('"_id":"a"');
    expect(fs.existsSync(path.join(dir, 'LOCK'))).toBe(false);
  });

  it('compacts a growing journal into a new snapshot while running', async () => {
    const dir = tempDir();
    const store = await createEmbeddedStore({ dataDir: dir, compactAfterBytes: 4096 });
    const c = store.collection('c');
    for (let i = 0; i < 200; i++) await c.insertOne({ _id: `d${i}`, pad: 'x'.repeat(50) });
    await new Promise((resolve) => setImmediate(resolve));
    expect(fs.existsSync(path.join(dir, 'snapshot.jsonl'))).toBe(true);
    expect(fs.statSync(logFile(dir)).size).toBeLessThan(200 * 60);
    await c.insertOne({ _id: 'last' });
    const copy = crashCopy(dir);
    await store.close();
    const recovered = await createEmbeddedStore({ dataDir: copy });
    expect(await recovered.collection('c').count({})).toBe(201);
    await recovered.close();
  });

  it('refuses a second store on a folder that is open', async () => {
    const dir = tempDir();
    const store = await createEmbeddedStore({ dataDir: dir });
    await expect(createEmbeddedStore({ dataDir: dir })).rejects.toThrow(/already open/);
    await store.close();
    const again = await createEmbeddedStore({ dataDir: dir });
    await again.close();
  });

  it('keeps a few thousand documents across reopening', async () => {
    const dir = tempDir();
    const store = await createEmbeddedStore({ dataDir: dir });
    const c = store.collection('rows');
    for (let i = 0; i < 3000; i++) await c.insertOne({ _id: `r${i}`, day: new Date(i * 86_400_000), cost: i });
    await store.close();
    const reopened = await createEmbeddedStore({ dataDir: dir });
    const [sum] = await reopened.collection('rows').group({}, { keys: [], accumulators: { t: { op: 'sum', field: 'cost' } } });
    expect(sum).toEqual({ t: (2999 * 3000) / 2 });
    await reopened.close();
  });
});

describe('embedded store: transactions', () => {
  let store: Store;
  beforeEach(async () => {
    store = await createEmbeddedStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it('runs transactions one after another, never interleaved', async () => {
    const events: string[] = [];
    const tx = (label: string) =>
      store.transaction(async (t) => {
        events.push(`${label}:start`);
        await sleep(10);
        await t.collection('c').insertOne({ _id: label });
        await sleep(5);
        events.push(`${label}:end`);
      });
    await Promise.all([tx('a'), tx('b'), tx('c')]);
    expect(events).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
  });

  it('refuses a transaction started inside another instead of deadlocking', async () => {
    await expect(store.transaction(async () => store.transaction(async () => 1))).rejects.toThrow(/inside another/);
  });

  it('aborts a transaction whose failed write was swallowed', async () => {
    await store.collection('c').insertOne({ _id: 'a' });
    await expect(
      store.transaction(async (tx) => {
        await tx.collection('c').insertOne({ _id: 'b' });
        await tx
          .collection('c')
          .insertOne({ _id: 'a' })
          .catch(() => undefined);
      }),
    ).rejects.toBeInstanceOf(DuplicateKeyError);
    expect(await store.collection('c').count({})).toBe(1);
  });

  it('refuses the transaction context once the transaction has ended', async () => {
    let leaked: TxContext | undefined;
    await store.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.collection('c').insertOne({ _id: 'late' })).rejects.toThrow(/already ended/);
    expect(await store.collection('c').count({})).toBe(0);
  });

  it('runs fn again when a document it wrote was changed outside before commit', async () => {
    await store.collection('c').insertOne({ _id: 'doc', v: 0, note: '' });
    let attempts = 0;
    await store.transaction(async (tx) => {
      attempts++;
      await tx.collection('c').updateOne({ _id: 'doc' }, { $inc: { v: 1 } });
      if (attempts === 1) await store.collection('c').updateOne({ _id: 'doc' }, { $set: { note: 'outside' } });
    });
    expect(attempts).toBe(2);
    expect(await store.collection('c').findOne({ _id: 'doc' })).toEqual({ _id: 'doc', v: 1, note: 'outside' });
  });

  it('runs fn again when an outside insert takes a unique key it staged, then reports the duplicate', async () => {
    await store.ensureIndexes('c', [{ name: 'k_1', fields: ['k'], unique: true }]);
    let attempts = 0;
    await expect(
      store.transaction(async (tx) => {
        attempts++;
        await tx.collection('c').insertOne({ _id: 'mine', k: 1 });
        if (attempts === 1) await store.collection('c').insertOne({ _id: 'theirs', k: 1 });
      }),
    ).rejects.toMatchObject({ name: 'DuplicateKeyError', index: 'k_1' });
    expect(attempts).toBe(2);
    expect((await store.collection('c').find({})).map((d) => d._id)).toEqual(['theirs']);
  });

  it('commits before close() finishes, and refuses new work after', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = store.transaction(async (tx) => {
      await gate;
      await tx.collection('c').insertOne({ _id: 'late' });
    });
    const closing = store.close();
    release();
    await running;
    await closing;
    await expect(store.ping()).rejects.toThrow(/closed/);
    await expect(store.collection('c').count({})).rejects.toThrow(/closed/);
    await expect(store.transaction(async () => 1)).rejects.toThrow(/closed/);
    store = await createEmbeddedStore();
  });
});

describe('embedded store: indexes answer lookups', () => {
  let store: Store;
  let tested: number;
  beforeEach(async () => {
    store = await createEmbeddedStore();
    await store.ensureIndexes('c', [
      { name: 'email_1', fields: ['email'], unique: true },
      { name: 'domain_kind', fields: ['domain', 'kind'] },
    ]);
    const c = store.collection('c');
    for (let i = 0; i < 1000; i++) {
      await c.insertOne({ _id: `d${i}`, email: `u${i}@x`, domain: `dom${i % 10}`, kind: i % 2 ? 'a' : 'b', free: i });
    }
    tested = 0;
    const compile = filterMatch.compileFilter;
    jest.spyOn(filterMatch, 'compileFilter').mockImplementation((filter) => {
      const predicate = compile(filter);
      return (doc: Doc) => {
        tested++;
        return predicate(doc);
      };
    });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await store.close();
  });

  it('finds by _id without scanning', async () => {
    expect((await store.collection('c').findOne({ _id: 'd500' }))?.free).toBe(500);
    expect(tested).toBe(1);
  });

  it('finds by an indexed field, or by the first field of a compound index, without scanning', async () => {
    const c = store.collection('c');
    expect((await c.findOne({ email: 'u7@x' }))?._id).toBe('d7');
    expect(tested).toBe(1);
    tested = 0;
    expect(await c.count({ domain: 'dom3', kind: 'a' })).toBe(100);
    expect(tested).toBe(100);
    tested = 0;
    expect(await c.find({ email: { $in: ['u1@x', 'u2@x', 'nobody'] } })).toHaveLength(2);
    expect(tested).toBe(2);
  });

  it('scans when no index can answer', async () => {
    expect(await store.collection('c').count({ free: { $gte: 990 } })).toBe(10);
    expect(tested).toBe(1000);
  });

  it('uses the index inside a transaction too', async () => {
    await store.transaction(async (tx) => {
      await tx.collection('c').insertOne({ _id: 'new', email: 'new@x' });
      tested = 0;
      expect((await tx.collection('c').findOne({ email: 'u9@x' }))?._id).toBe('d9');
      expect(tested).toBeLessThanOrEqual(2);
    });
  });
});

describe('embedded store: values', () => {
  it('refuses values MongoDB would not give back as they went in', async () => {
    const store = await createEmbeddedStore();
    const c = store.collection('c');
    await expect(c.insertOne({ _id: 'a', f: () => 1 })).rejects.toThrow(/function/);
    await expect(c.insertOne({ _id: 'b', big: BigInt(1) })).rejects.toThrow(/bigint/);
    await expect(c.insertOne({ _id: 'c', bin: Buffer.from('x') })).rejects.toThrow(/Buffer/);
    expect(await c.count({})).toBe(0);
    await store.close();
  });
});
