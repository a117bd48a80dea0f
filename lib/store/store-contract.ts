import { DuplicateKeyError, type Collection, type Doc, type Filter, type FindOptions, type Store } from './port';

/**
 * The one contract every Store adapter passes: the embedded store and MongoDB behave the
 * same for every operation of the port. One store instance serves the whole suite; each test
 * works in a collection of its own.
 *
 * cleanup, when given, replaces the default store.close() at the end of the suite.
 */
export function runStoreContract(
  name: string,
  makeStore: () => Promise<Store>,
  cleanup?: (store: Store) => Promise<void>,
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let seq = 0;
    const run = Date.now().toString(36);

    beforeAll(async () => {
      store = await makeStore();
    }, 180_000);
    afterAll(async () => {
      if (!store) return;
      if (cleanup) await cleanup(store);
      else await store.close();
    }, 60_000);

    /** A collection no other test uses. */
    const fresh = <T extends Doc = Doc>(): { name: string; c: Collection<T> } => {
      const collection = `contract_${run}_${++seq}`;
      return { name: collection, c: store.collection<T>(collection) };
    };
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const byId: FindOptions = { sort: [{ field: '_id', direction: 1 }] };
    const idsOf = (docs: Doc[]) => docs.map((d) => d._id);

    describe('insertOne and findOne', () => {
      it('stores a document and finds it by _id with every value type intact', async () => {
        const { c } = fresh();
        const doc = {
          _id: 'a1',
          name: 'alpha',
          n: 1.5,
          count: 3,
          ok: true,
          none: null,
          at: new Date('2024-05-01T10:20:30.456Z'),
          tags: ['x', 'y'],
          nested: { deep: { list: [1, { k: 'v' }] } },
        };
        await c.insertOne(doc);
        const found = await c.findOne({ _id: 'a1' });
        expect(found).toEqual(doc);
        expect(found?.at).toBeInstanceOf(Date);
      });

      it('returns null when nothing matches', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a' });
        expect(await c.findOne({ _id: 'b' })).toBeNull();
        expect(await c.findOne({ missing: 'x' })).toBeNull();
      });

      it('refuses a second document with the same _id and keeps the first', async () => {
        const { name, c } = fresh();
        await c.insertOne({ _id: 'a', v: 1 });
        const err = await c.insertOne({ _id: 'a', v: 2 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DuplicateKeyError);
        expect(err).toMatchObject({ collection: name, index: '_id_' });
        expect(await c.findOne({ _id: 'a' })).toEqual({ _id: 'a', v: 1 });
        expect(await c.count({})).toBe(1);
      });

      it('refuses a document without a string _id', async () => {
        const { c } = fresh();
        await expect(c.insertOne({ v: 1 } as unknown as Doc)).rejects.toThrow(/_id/);
        await expect(c.insertOne({ _id: 7, v: 1 } as unknown as Doc)).rejects.toThrow(/_id/);
        expect(await c.count({})).toBe(0);
      });

      it('leaves out fields whose value is undefined', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a', v: 1, gone: undefined });
        const found = await c.findOne({ _id: 'a' });
        expect(found).toEqual({ _id: 'a', v: 1 });
        expect(Object.keys(found ?? {})).toEqual(['_id', 'v']);
      });
    });

    describe('insertMany', () => {
      it('stores every document of the list, each found by _id and through its indexes', async () => {
        const { name, c } = fresh();
        await store.ensureIndexes(name, [
          { name: 'email_1', fields: ['email'], unique: true },
          { name: 'kind_1', fields: ['kind'] },
        ]);
        await c.insertOne({ _id: 'a0', email: 'a0@x', kind: 'old' });
        const docs = Array.from({ length: 30 }, (_, i) => ({ _id: `d${i}`, email: `u${i}@x`, kind: i % 3 === 0 ? 'three' : 'other', at: new Date(i) }));
        await c.insertMany(docs);
        expect(await c.count({})).toBe(31);
        expect(await c.findOne({ _id: 'd7' })).toEqual(docs[7]);
        expect((await c.findOne({ email: 'u12@x' }))?._id).toBe('d12');
        expect(await c.count({ kind: 'three' })).toBe(10);
        expect(idsOf(await c.find({ kind: { $in: ['old', 'three'] } }, byId))).toEqual(['a0', 'd0', 'd12', 'd15', 'd18', 'd21', 'd24', 'd27', 'd3', 'd6', 'd9']);
        // The unique index holds the new keys.
        await expect(c.insertOne({ _id: 'late', email: 'u29@x' })).rejects.toMatchObject({ name: 'DuplicateKeyError', index: 'email_1' });
      });

      it('does nothing for an empty list', async () => {
        const { c } = fresh();
        await c.insertMany([]);
        expect(await c.count({})).toBe(0);
      });

      it('keeps copies: mutating the inserted objects afterwards changes nothing stored', async () => {
        const { c } = fresh();
        const docs = [{ _id: 'a', tags: ['x'] }, { _id: 'b', tags: ['y'] }];
        await c.insertMany(docs);
        docs[0].tags.push('z');
        docs.length = 0;
        expect(await c.find({}, byId)).toEqual([
          { _id: 'a', tags: ['x'] },
          { _id: 'b', tags: ['y'] },
        ]);
      });

      it('inserts none of the list when an _id repeats, a stored one or within the list', async () => {
        const { name, c } = fresh();
        await c.insertOne({ _id: 'a', v: 1 });
        const stored = await c.insertMany([{ _id: 'n1' }, { _id: 'a', v: 2 }, { _id: 'n2' }]).catch((e: unknown) => e);
        expect(stored).toBeInstanceOf(DuplicateKeyError);
        expect(stored).toMatchObject({ collection: name, index: '_id_' });
        await expect(c.insertMany([{ _id: 'n1' }, { _id: 'n2' }, { _id: 'n1' }])).rejects.toMatchObject({ index: '_id_' });
        expect(await c.find({})).toEqual([{ _id: 'a', v: 1 }]);
        // The refused ids are free.
        await c.insertMany([{ _id: 'n1' }, { _id: 'n2' }]);
        expect(idsOf(await c.find({}, byId))).toEqual(['a', 'n1', 'n2']);
      });

      it('inserts none of the list when a unique key repeats, and leaves every index as it was', async () => {
        const { name, c } = fresh();
        await store.ensureIndexes(name, [
          { name: 'email_1', fields: ['email'], unique: true },
          { name: 'domain_slot', fields: ['domain', 'slot'], unique: true },
          { name: 'kind_1', fields: ['kind'] },
        ]);
        await c.insertOne({ _id: 'a', email: 'taken', domain: 'd', slot: 1, kind: 'k' });
        const refused = [
          // a stored key
          [{ _id: 'b', email: 'free-1', domain: 'd', slot: 2, kind: 'k' }, { _id: 'c', email: 'taken', domain: 'd', slot: 3, kind: 'k' }],
          // a key repeated within the list
          [{ _id: 'b', email: 'same', domain: 'd', slot: 2, kind: 'k' }, { _id: 'c', email: 'same', domain: 'd', slot: 3, kind: 'k' }],
          // a compound key repeated within the list
          [{ _id: 'b', email: 'free-1', domain: 'e', slot: 1, kind: 'k' }, { _id: 'c', email: 'free-2', domain: 'e', slot: 1, kind: 'k' }],
        ];
        const indexes: string[] = [];
        for (const docs of refused) {
          const err = await c.insertMany(docs).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(DuplicateKeyError);
          indexes.push((err as DuplicateKeyError).index);
        }
        expect(indexes).toEqual(['email_1', 'email_1', 'domain_slot']);
        expect(idsOf(await c.find({}))).toEqual(['a']);
        expect(idsOf(await c.find({ kind: 'k' }))).toEqual(['a']);
        expect(await c.findOne({ email: 'free-1' })).toBeNull();
        expect(await c.count({ domain: 'e' })).toBe(0);
        // Nothing of the refused lists holds a key: all of them can be used now.
        await c.insertMany([
          { _id: 'b', email: 'same', domain: 'e', slot: 1, kind: 'k' },
          { _id: 'c', email: 'free-1', domain: 'd', slot: 2, kind: 'k' },
        ]);
        expect(idsOf(await c.find({ kind: 'k' }, byId))).toEqual(['a', 'b', 'c']);
        expect((await c.findOne({ domain: 'e', slot: 1 }))?._id).toBe('b');
      });

      it('refuses a list holding something that is not a document, and inserts none of it', async () => {
        const { c } = fresh();
        await expect(c.insertMany([{ _id: 'ok' }, { v: 1 } as unknown as Doc])).rejects.toThrow(/_id/);
        await expect(c.insertMany([{ _id: 'ok' }, null as unknown as Doc])).rejects.toThrow(TypeError);
        await expect(c.insertMany({ _id: 'ok' } as unknown as Doc[])).rejects.toThrow(TypeError);
        expect(await c.count({})).toBe(0);
      });

      it('inside a transaction: invisible outside until commit, read by the transaction, kept with its other writes', async () => {
        const a = fresh();
        await store.ensureIndexes(a.name, [{ name: 'kind_1', fields: ['kind'] }]);
        await a.c.insertOne({ _id: 'old', kind: 'k' });
        await store.transaction(async (tx) => {
          const t = tx.collection(a.name);
          await t.deleteOne({ _id: 'old' });
          await t.insertMany([{ _id: 'old', kind: 'k', again: true }, { _id: 'new', kind: 'k' }]);
          expect(idsOf(await t.find({ kind: 'k' }, byId))).toEqual(['new', 'old']);
          expect(await a.c.count({})).toBe(1);
        });
        expect(await a.c.find({ kind: 'k' }, byId)).toEqual([
          { _id: 'new', kind: 'k' },
          { _id: 'old', kind: 'k', again: true },
        ]);
      });

      it('inside a transaction: a repeated key fails the transaction as a whole', async () => {
        const a = fresh();
        await store.ensureIndexes(a.name, [{ name: 'slot_1', fields: ['slot'], unique: true }]);
        await a.c.insertOne({ _id: 'a', slot: 1 });
        await expect(
          store.transaction(async (tx) => {
            const t = tx.collection(a.name);
            await t.insertOne({ _id: 'b', slot: 2 });
            await t.insertMany([{ _id: 'c', slot: 3 }, { _id: 'd', slot: 1 }]);
          }),
        ).rejects.toMatchObject({ name: 'DuplicateKeyError', index: 'slot_1' });
        await expect(
          store.transaction(async (tx) => tx.collection(a.name).insertMany([{ _id: 'c', slot: 3 }, { _id: 'd', slot: 3 }])),
        ).rejects.toBeInstanceOf(DuplicateKeyError);
        expect(await a.c.find({})).toEqual([{ _id: 'a', slot: 1 }]);
        // A key freed inside the transaction may be taken by the list.
        await store.transaction(async (tx) => {
          const t = tx.collection(a.name);
          await t.updateOne({ _id: 'a' }, { $set: { slot: 9 } });
          await t.insertMany([{ _id: 'b', slot: 1 }, { _id: 'c', slot: 2 }]);
        });
        expect(await a.c.find({}, byId)).toEqual([
          { _id: 'a', slot: 9 },
          { _id: 'b', slot: 1 },
          { _id: 'c', slot: 2 },
        ]);
      });
    });

    describe('copies', () => {
      it('is not changed when the inserted object is mutated afterwards', async () => {
        const { c } = fresh();
        const doc = { _id: 'a', tags: ['x'], meta: { env: 'prod' }, at: new Date(0) };
        await c.insertOne(doc);
        doc.tags.push('y');
        doc.meta.env = 'dev';
        doc.at.setTime(1000);
        expect(await c.findOne({ _id: 'a' })).toEqual({ _id: 'a', tags: ['x'], meta: { env: 'prod' }, at: new Date(0) });
      });

      it('is not changed when a returned document is mutated', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a', tags: ['x'], meta: { env: 'prod' }, at: new Date(0) });
        const one = (await c.findOne({ _id: 'a' })) as Doc & { tags: string[]; meta: { env: string }; at: Date };
        one.tags.push('y');
        one.meta.env = 'dev';
        one.at.setTime(1000);
        const [many] = (await c.find({})) as Array<Doc & { tags: string[] }>;
        many.tags.length = 0;
        expect(await c.findOne({ _id: 'a' })).toEqual({ _id: 'a', tags: ['x'], meta: { env: 'prod' }, at: new Date(0) });
      });

      it('is not changed when a $set or replacement value is mutated afterwards', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a' });
        const value = { list: [1] };
        await c.updateOne({ _id: 'a' }, { $set: { value } });
        value.list.push(2);
        expect(await c.findOne({ _id: 'a' })).toEqual({ _id: 'a', value: { list: [1] } });
        const replacement = { _id: 'a', other: { list: [1] } };
        await c.replaceOne({ _id: 'a' }, replacement);
        replacement.other.list.push(2);
        expect(await c.findOne({ _id: 'a' })).toEqual({ _id: 'a', other: { list: [1] } });
      });
    });

    describe('filters', () => {
      const seed = async () => {
        const { c } = fresh();
        const docs: Doc[] = [
          {
            _id: 'a',
            name: 'Alpha',
            n: 1,
            tags: ['x', 'y'],
            meta: { env: 'prod', size: 3 },
            at: new Date('2024-01-01T00:00:00Z'),
            active: true,
          },
          {
            _id: 'b',
            name: 'beta',
            n: 2,
            tags: ['y'],
            meta: { env: 'dev', size: 1 },
            at: new Date('2024-02-01T00:00:00Z'),
            active: false,
          },
          { _id: 'c', name: 'Gamma', n: '3', tags: [], meta: { env: 'prod' }, at: '2024-03-01', active: true },
          { _id: 'd', name: 'delta', n: null, meta: {}, active: null },
          {
            _id: 'e',
            name: 'ALPHA two',
            n: 10,
            tags: ['z'],
            items: [
              { sku: 'p1', qty: 2 },
              { sku: 'p2', qty: 5 },
            ],
          },
        ];
        for (const doc of docs) await c.insertOne(doc);
        return async (filter: Filter) => idsOf(await c.find(filter, byId));
      };

      it('matches everything with an empty filter', async () => {
        const ids = await seed();
        expect(await ids({})).toEqual(['a', 'b', 'c', 'd', 'e']);
      });

      it('matches equality exactly and case-sensitively', async () => {
        const ids = await seed();
        expect(await ids({ name: 'beta' })).toEqual(['b']);
        expect(await ids({ name: 'alpha' })).toEqual([]);
        expect(await ids({ name: { $eq: 'Alpha' } })).toEqual(['a']);
        expect(await ids({ _id: 'c', name: 'Gamma' })).toEqual(['c']);
        expect(await ids({ _id: 'c', name: 'beta' })).toEqual([]);
      });

      it('matches an element of an array field, or the whole array', async () => {
        const ids = await seed();
        expect(await ids({ tags: 'y' })).toEqual(['a', 'b']);
        expect(await ids({ tags: ['x', 'y'] })).toEqual(['a']);
        expect(await ids({ tags: ['y', 'x'] })).toEqual([]);
        expect(await ids({ tags: [] })).toEqual(['c']);
      });

      it('matches null to null and to a missing field', async () => {
        const ids = await seed();
        expect(await ids({ n: null })).toEqual(['d']);
        expect(await ids({ active: null })).toEqual(['d', 'e']);
        expect(await ids({ tags: null })).toEqual(['d']);
      });

      it('compares only values of the same type', async () => {
        const ids = await seed();
        expect(await ids({ n: { $gt: 1 } })).toEqual(['b', 'e']);
        expect(await ids({ n: { $gte: 1, $lt: 10 } })).toEqual(['a', 'b']);
        expect(await ids({ n: { $lte: 2 } })).toEqual(['a', 'b']);
        expect(await ids({ n: { $gte: '0' } })).toEqual(['c']);
        expect(await ids({ at: { $gte: new Date('2024-01-15T00:00:00Z') } })).toEqual(['b']);
        expect(await ids({ at: { $lt: '2025' } })).toEqual(['c']);
        expect(await ids({ active: 1 })).toEqual([]);
        expect(await ids({ n: '1' })).toEqual([]);
      });

      it('matches dates by instant', async () => {
        const ids = await seed();
        expect(await ids({ at: new Date('2024-01-01T00:00:00Z') })).toEqual(['a']);
        expect(await ids({ at: { $in: [new Date('2024-02-01T00:00:00Z'), '2024-03-01'] } })).toEqual(['b', 'c']);
      });

      it('treats $ne and $nin as also matching a missing field', async () => {
        const ids = await seed();
        expect(await ids({ active: { $ne: true } })).toEqual(['b', 'd', 'e']);
        expect(await ids({ active: { $ne: null } })).toEqual(['a', 'b', 'c']);
        expect(await ids({ tags: { $nin: ['y'] } })).toEqual(['c', 'd', 'e']);
        expect(await ids({ tags: { $ne: 'y' } })).toEqual(['c', 'd', 'e']);
      });

      it('matches $in against array elements and null against missing', async () => {
        const ids = await seed();
        expect(await ids({ tags: { $in: ['x', 'z'] } })).toEqual(['a', 'e']);
        expect(await ids({ active: { $in: [null, false] } })).toEqual(['b', 'd', 'e']);
        expect(await ids({ _id: { $in: ['a', 'c', 'zz'] } })).toEqual(['a', 'c']);
        expect(await ids({ _id: { $in: [] } })).toEqual([]);
      });

      it('tells present (even null) from missing with $exists', async () => {
        const ids = await seed();
        expect(await ids({ tags: { $exists: false } })).toEqual(['d']);
        expect(await ids({ n: { $exists: true } })).toEqual(['a', 'b', 'c', 'd', 'e']);
        expect(await ids({ active: { $exists: true } })).toEqual(['a', 'b', 'c', 'd']);
      });

      it('matches $regex on strings (and string elements), case-insensitively with i', async () => {
        const ids = await seed();
        expect(await ids({ name: { $regex: '^alpha', $options: 'i' } })).toEqual(['a', 'e']);
        expect(await ids({ name: { $regex: '^Alpha' } })).toEqual(['a']);
        expect(await ids({ name: { $regex: 'TA$', $options: 'i' } })).toEqual(['b', 'd']);
        expect(await ids({ n: { $regex: '3' } })).toEqual(['c']);
        expect(await ids({ tags: { $regex: '^[xz]$' } })).toEqual(['a', 'e']);
      });

      it('reaches nested objects and arrays of objects with dotted paths', async () => {
        const ids = await seed();
        expect(await ids({ 'meta.env': 'prod' })).toEqual(['a', 'c']);
        expect(await ids({ 'meta.size': { $gte: 2 } })).toEqual(['a']);
        expect(await ids({ 'meta.env': { $exists: false } })).toEqual(['d', 'e']);
        expect(await ids({ 'items.sku': 'p2' })).toEqual(['e']);
        expect(await ids({ 'items.qty': { $gt: 4 } })).toEqual(['e']);
        expect(await ids({ 'meta.env': null })).toEqual(['d', 'e']);
      });

      it('combines conditions with $and and $or', async () => {
        const ids = await seed();
        expect(await ids({ $or: [{ n: 1 }, { name: 'beta' }] })).toEqual(['a', 'b']);
        expect(await ids({ $and: [{ tags: 'y' }, { active: true }] })).toEqual(['a']);
        expect(await ids({ $or: [{ $and: [{ n: { $gt: 1 } }, { n: { $lt: 5 } }] }, { name: 'Gamma' }] })).toEqual(['b', 'c']);
      });

      it('rejects an undefined filter value instead of matching everything', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a', owner: 'x' });
        await expect(c.find({ owner: undefined })).rejects.toThrow(/undefined/);
        await expect(c.deleteMany({ owner: undefined })).rejects.toThrow(/undefined/);
        expect(await c.count({})).toBe(1);
      });

      it('rejects an unknown operator', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a', n: 1 });
        await expect(c.find({ n: { $foo: 1 } })).rejects.toThrow();
      });
    });

    describe('find options', () => {
      it('sorts ascending with missing and null first, descending with them last', async () => {
        const { c } = fresh();
        for (const [id, score] of [
          ['s3', 3],
          ['s1', 1],
          ['snull', null],
          ['s2', 2],
        ] as const) {
          await c.insertOne({ _id: id, score });
        }
        await c.insertOne({ _id: 'smissing' });
        const asc = idsOf(await c.find({}, { sort: [{ field: 'score', direction: 1 }] }));
        expect(new Set(asc.slice(0, 2))).toEqual(new Set(['snull', 'smissing']));
        expect(asc.slice(2)).toEqual(['s1', 's2', 's3']);
        const desc = idsOf(await c.find({}, { sort: [{ field: 'score', direction: -1 }] }));
        expect(desc.slice(0, 3)).toEqual(['s3', 's2', 's1']);
        expect(new Set(desc.slice(3))).toEqual(new Set(['snull', 'smissing']));
      });

      it('sorts on several keys', async () => {
        const { c } = fresh();
        const rows = [
          ['a', 'g2', 1],
          ['b', 'g1', 1],
          ['c', 'g2', 5],
          ['d', 'g1', 3],
        ] as const;
        for (const [id, group, score] of rows) await c.insertOne({ _id: id, group, score });
        const sorted = await c.find(
          {},
          {
            sort: [
              { field: 'group', direction: 1 },
              { field: 'score', direction: -1 },
            ],
          },
        );
        expect(idsOf(sorted)).toEqual(['d', 'b', 'c', 'a']);
      });

      it('sorts strings by code point and mixed types in MongoDB order', async () => {
        const { c } = fresh();
        for (const [id, v] of [
          ['b', 'b'],
          ['B', 'B'],
          ['a', 'a'],
        ]) {
          await c.insertOne({ _id: id, v });
        }
        expect(idsOf(await c.find({}, { sort: [{ field: 'v', direction: 1 }] }))).toEqual(['B', 'a', 'b']);
        const { c: mixed } = fresh();
        await mixed.insertOne({ _id: 'date', v: new Date(0) });
        await mixed.insertOne({ _id: 'bool', v: true });
        await mixed.insertOne({ _id: 'str', v: 'x' });
        await mixed.insertOne({ _id: 'num', v: 5 });
        await mixed.insertOne({ _id: 'null', v: null });
        expect(idsOf(await mixed.find({}, { sort: [{ field: 'v', direction: 1 }] }))).toEqual([
          'null',
          'num',
          'str',
          'bool',
          'date',
        ]);
      });

      it('sorts an array field by its smallest element ascending and its largest descending', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a', v: [1, 10] });
        await c.insertOne({ _id: 'b', v: [5] });
        await c.insertOne({ _id: 'c', v: 7 });
        expect(idsOf(await c.find({}, { sort: [{ field: 'v', direction: 1 }] }))).toEqual(['a', 'b', 'c']);
        expect(idsOf(await c.find({}, { sort: [{ field: 'v', direction: -1 }] }))).toEqual(['a', 'c', 'b']);
      });

      it('sorts on a dotted path', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a', meta: { rank: 2 } });
        await c.insertOne({ _id: 'b', meta: { rank: 1 } });
        await c.insertOne({ _id: 'c', meta: { rank: 3 } });
        expect(idsOf(await c.find({}, { sort: [{ field: 'meta.rank', direction: -1 }] }))).toEqual(['c', 'a', 'b']);
      });

      it('skips and limits after sorting; limit 0 means no limit', async () => {
        const { c } = fresh();
        for (let i = 0; i < 6; i++) await c.insertOne({ _id: `d${i}`, i: 5 - i });
        const sort = [{ field: 'i', direction: 1 as const }];
        expect(idsOf(await c.find({}, { sort, skip: 1, limit: 2 }))).toEqual(['d4', 'd3']);
        expect(idsOf(await c.find({}, { sort, skip: 4 }))).toEqual(['d1', 'd0']);
        expect(idsOf(await c.find({}, { sort, limit: 0 }))).toHaveLength(6);
        expect(await c.find({}, { sort, skip: 10 })).toEqual([]);
        expect(await c.find({}, { limit: 3 })).toHaveLength(3);
      });

      it('rejects a negative skip', async () => {
        const { c } = fresh();
        await expect(c.find({}, { skip: -1 })).rejects.toThrow(/skip/);
      });

      it('projects the listed fields plus _id, dotted paths included', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a', name: 'n', secret: 's', meta: { env: 'prod', size: 3 }, list: [1] });
        expect(await c.find({}, { projection: ['name', 'list'] })).toEqual([{ _id: 'a', name: 'n', list: [1] }]);
        expect(await c.find({}, { projection: ['meta.env'] })).toEqual([{ _id: 'a', meta: { env: 'prod' } }]);
        expect(await c.find({}, { projection: ['nothing'] })).toEqual([{ _id: 'a' }]);
        expect(await c.find({}, { projection: [] })).toEqual([{ _id: 'a' }]);
      });
    });

    describe('count', () => {
      it('counts all documents or those matching', async () => {
        const { c } = fresh();
        expect(await c.count({})).toBe(0);
        for (let i = 0; i < 5; i++) await c.insertOne({ _id: `d${i}`, even: i % 2 === 0 });
        expect(await c.count({})).toBe(5);
        expect(await c.count({ even: true })).toBe(3);
        expect(await c.count({ even: 'yes' })).toBe(0);
      });
    });

    describe('updateOne', () => {
      it('applies $set, $unset and $inc, on dotted paths too, creating objects on the way', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a', name: 'n', n: 1, meta: { env: 'dev', size: 2 } });
        const matched = await c.updateOne(
          { _id: 'a' },
          {
            $set: { name: 'm', 'meta.env': 'prod', 'labels.team': 'core', at: new Date(5) },
            $unset: { 'meta.size': '' },
            $inc: { n: 2, 'stats.hits': 1 },
          },
        );
        expect(matched).toBe(1);
        expect(await c.findOne({ _id: 'a' })).toEqual({
          _id: 'a',
          name: 'm',
          n: 3,
          meta: { env: 'prod' },
          labels: { team: 'core' },
          at: new Date(5),
          stats: { hits: 1 },
        });
      });

      it('returns 0 and inserts nothing when no document matches', async () => {
        const { c } = fresh();
        expect(await c.updateOne({ _id: 'none' }, { $set: { v: 1 } })).toBe(0);
        expect(await c.count({})).toBe(0);
      });

      it('updates only the first matching document', async () => {
        const { c } = fresh();
        for (const id of ['a', 'b', 'c']) await c.insertOne({ _id: id, kind: 'k', v: 0 });
        expect(await c.updateOne({ kind: 'k' }, { $inc: { v: 1 } })).toBe(1);
        expect(await c.count({ v: 1 })).toBe(1);
        expect(await c.count({ v: 0 })).toBe(2);
      });

      it('rejects $inc of a non-number and applies none of the update', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a', name: 'n' });
        await expect(c.updateOne({ _id: 'a' }, { $set: { other: 1 }, $inc: { name: 1 } })).rejects.toThrow();
        expect(await c.findOne({ _id: 'a' })).toEqual({ _id: 'a', name: 'n' });
      });

      it('rejects a change of _id', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a', v: 1 });
        await expect(c.updateOne({ _id: 'a' }, { $set: { _id: 'b' } })).rejects.toThrow(/_id/);
        expect(await c.findOne({ _id: 'a' })).toEqual({ _id: 'a', v: 1 });
      });

      it('rejects an update without operators', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a', v: 1 });
        await expect(c.updateOne({ _id: 'a' }, {})).rejects.toThrow();
        await expect(c.updateOne({ _id: 'a' }, { v: 2 } as never)).rejects.toThrow();
        expect(await c.findOne({ _id: 'a' })).toEqual({ _id: 'a', v: 1 });
      });
    });

    describe('replaceOne', () => {
      it('replaces the whole document and keeps its _id', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a', old: 1, keep: 'no' });
        expect(await c.replaceOne({ old: 1 }, { _id: 'a', fresh: true })).toBe(1);
        expect(await c.findOne({ _id: 'a' })).toEqual({ _id: 'a', fresh: true });
        expect(await c.replaceOne({ _id: 'zz' }, { _id: 'zz', v: 1 })).toBe(0);
        expect(await c.count({})).toBe(1);
      });

      it('rejects a replacement with another _id', async () => {
        const { c } = fresh();
        await c.insertOne({ _id: 'a', v: 1 });
        await expect(c.replaceOne({ _id: 'a' }, { _id: 'b', v: 2 })).rejects.toThrow();
        expect(await c.findOne({ _id: 'a' })).toEqual({ _id: 'a', v: 1 });
        expect(await c.findOne({ _id: 'b' })).toBeNull();
      });
    });

    describe('deleteOne and deleteMany', () => {
      it('deletes one matching document, or all of them, and says how many', async () => {
        const { c } = fresh();
        for (let i = 0; i < 5; i++) await c.insertOne({ _id: `d${i}`, kind: i < 4 ? 'k' : 'other' });
        expect(await c.deleteOne({ kind: 'k' })).toBe(1);
        expect(await c.count({ kind: 'k' })).toBe(3);
        expect(await c.deleteMany({ kind: 'k' })).toBe(3);
        expect(await c.deleteMany({ kind: 'k' })).toBe(0);
        expect(await c.deleteOne({ kind: 'k' })).toBe(0);
        expect(idsOf(await c.find({}))).toEqual(['d4']);
      });
    });

    describe('group', () => {
      const seed = async () => {
        const { c } = fresh();
        const rows: Doc[] = [
          { _id: '1', project: 'p1', provider: 'aws', cost: 10, day: new Date('2024-01-02T00:00:00Z'), env: { name: 'prod' } },
          { _id: '2', project: 'p1', provider: 'gcp', cost: 5, day: new Date('2024-01-01T00:00:00Z'), env: { name: 'dev' } },
          { _id: '3', project: 'p2', provider: 'aws', cost: 7, day: new Date('2024-01-03T00:00:00Z'), env: { name: 'prod' } },
          { _id: '4', project: 'p2', provider: 'aws', cost: 3, env: { name: 'prod' } },
          { _id: '5', provider: 'aws', cost: 4 },
          { _id: '6', project: null, provider: 'azure', cost: 'n/a' },
        ];
        for (const row of rows) await c.insertOne(row);
        return c;
      };

      it('groups by a key with count, sum, min, max and addToSet, sorted by key, missing as null', async () => {
        const c = await seed();
        const rows = await c.group(
          {},
          {
            keys: ['project'],
            accumulators: {
              n: { op: 'count' },
              total: { op: 'sum', field: 'cost' },
              low: { op: 'min', field: 'cost' },
              high: { op: 'max', field: 'cost' },
              first: { op: 'min', field: 'day' },
              providers: { op: 'addToSet', field: 'provider' },
            },
          },
        );
        expect(rows).toEqual([
          { project: null, n: 2, total: 4, low: 4, high: 'n/a', first: null, providers: ['aws', 'azure'] },
          {
            project: 'p1',
            n: 2,
            total: 15,
            low: 5,
            high: 10,
            first: new Date('2024-01-01T00:00:00Z'),
            providers: ['aws', 'gcp'],
          },
          {
            project: 'p2',
            n: 2,
            total: 10,
            low: 3,
            high: 7,
            first: new Date('2024-01-03T00:00:00Z'),
            providers: ['aws'],
          },
        ]);
      });

      it('groups by several keys, after the filter', async () => {
        const c = await seed();
        const rows = await c.group(
          { cost: { $gte: 4 } },
          { keys: ['provider', 'project'], accumulators: { total: { op: 'sum', field: 'cost' } } },
        );
        expect(rows).toEqual([
          { provider: 'aws', project: null, total: 4 },
          { provider: 'aws', project: 'p1', total: 10 },
          { provider: 'aws', project: 'p2', total: 7 },
          { provider: 'gcp', project: 'p1', total: 5 },
        ]);
      });

      it('groups by a dotted key', async () => {
        const c = await seed();
        const rows = await c.group({}, { keys: ['env.name'], accumulators: { n: { op: 'count' } } });
        expect(rows).toEqual([
          { 'env.name': null, n: 2 },
          { 'env.name': 'dev', n: 1 },
          { 'env.name': 'prod', n: 3 },
        ]);
      });

      it('makes one group of everything without keys, and none when nothing matches', async () => {
        const c = await seed();
        expect(
          await c.group({}, { keys: [], accumulators: { n: { op: 'count' }, total: { op: 'sum', field: 'cost' } } }),
        ).toEqual([{ n: 6, total: 29 }]);
        expect(await c.group({ project: 'none' }, { keys: [], accumulators: { n: { op: 'count' } } })).toEqual([]);
        expect(
          await c.group({}, { keys: [], accumulators: { s: { op: 'sum', field: 'missing' }, m: { op: 'max', field: 'missing' } } }),
        ).toEqual([{ s: 0, m: null }]);
      });
    });

    describe('unique indexes', () => {
      it('refuses a duplicate on insert, naming the index, and changes nothing', async () => {
        const { name, c } = fresh();
        await store.ensureIndexes(name, [{ name: 'email_1', fields: ['email'], unique: true }]);
        await c.insertOne({ _id: 'a', email: 'x@example.com' });
        const err = await c.insertOne({ _id: 'b', email: 'x@example.com' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DuplicateKeyError);
        expect(err).toMatchObject({ collection: name, index: 'email_1' });
        expect(idsOf(await c.find({}))).toEqual(['a']);
        await c.insertOne({ _id: 'c', email: 'y@example.com' });
        expect(await c.count({})).toBe(2);
      });

      it('is idempotent to ensure the same indexes again', async () => {
        const { name, c } = fresh();
        const indexes = [
          { name: 'email_1', fields: ['email'], unique: true },
          { name: 'kind_1', fields: ['kind'] },
        ];
        await store.ensureIndexes(name, indexes);
        await store.ensureIndexes(name, indexes);
        await c.insertOne({ _id: 'a', email: 'x', kind: 'k' });
        await expect(c.insertOne({ _id: 'b', email: 'x', kind: 'k' })).rejects.toBeInstanceOf(DuplicateKeyError);
      });

      it('rejects another definition under an existing index name', async () => {
        const { name } = fresh();
        await store.ensureIndexes(name, [{ name: 'k_1', fields: ['k'], unique: true }]);
        await expect(store.ensureIndexes(name, [{ name: 'k_1', fields: ['other'], unique: true }])).rejects.toThrow();
      });

      it('enforces compound unique indexes on the combination', async () => {
        const { name, c } = fresh();
        await store.ensureIndexes(name, [{ name: 'domain_name', fields: ['domain', 'name'], unique: true }]);
        await c.insertOne({ _id: 'a', domain: 'd1', name: 'n' });
        await c.insertOne({ _id: 'b', domain: 'd2', name: 'n' });
        await c.insertOne({ _id: 'c', domain: 'd1', name: 'm' });
        await expect(c.insertOne({ _id: 'd', domain: 'd1', name: 'n' })).rejects.toMatchObject({
          index: 'domain_name',
        });
        expect(await c.count({})).toBe(3);
      });

      it('refuses an update or a replacement that would repeat a key, and keeps the document', async () => {
        const { name, c } = fresh();
        await store.ensureIndexes(name, [{ name: 'email_1', fields: ['email'], unique: true }]);
        await c.insertOne({ _id: 'a', email: 'a@x' });
        await c.insertOne({ _id: 'b', email: 'b@x', v: 1 });
        await expect(c.updateOne({ _id: 'b' }, { $set: { email: 'a@x', v: 2 } })).rejects.toBeInstanceOf(DuplicateKeyError);
        await expect(c.replaceOne({ _id: 'b' }, { _id: 'b', email: 'a@x' })).rejects.toBeInstanceOf(DuplicateKeyError);
        expect(await c.findOne({ _id: 'b' })).toEqual({ _id: 'b', email: 'b@x', v: 1 });
        expect(await c.updateOne({ _id: 'b' }, { $set: { email: 'b@x', v: 3 } })).toBe(1);
      });

      it('indexes a missing field as null, so two documents without it collide', async () => {
        const { name, c } = fresh();
        await store.ensureIndexes(name, [{ name: 'code_1', fields: ['code'], unique: true }]);
        await c.insertOne({ _id: 'a' });
        await expect(c.insertOne({ _id: 'b' })).rejects.toBeInstanceOf(DuplicateKeyError);
        await expect(c.insertOne({ _id: 'c', code: null })).rejects.toBeInstanceOf(DuplicateKeyError);
      });

      it('indexes each element of an array field', async () => {
        const { name, c } = fresh();
        await store.ensureIndexes(name, [{ name: 'aliases_1', fields: ['aliases'], unique: true }]);
        await c.insertOne({ _id: 'a', aliases: ['x', 'y'] });
        await expect(c.insertOne({ _id: 'b', aliases: ['y', 'z'] })).rejects.toBeInstanceOf(DuplicateKeyError);
        await c.insertOne({ _id: 'c', aliases: ['z'] });
        expect(idsOf(await c.find({ aliases: 'z' }))).toEqual(['c']);
      });

      it('refuses to create a unique index over existing duplicates, and creates none', async () => {
        const { name, c } = fresh();
        await c.insertOne({ _id: 'a', email: 'x' });
        await c.insertOne({ _id: 'b', email: 'x' });
        await expect(
          store.ensureIndexes(name, [{ name: 'email_1', fields: ['email'], unique: true }]),
        ).rejects.toBeInstanceOf(DuplicateKeyError);
        await c.insertOne({ _id: 'c', email: 'x' });
        expect(await c.count({ email: 'x' })).toBe(3);
      });

      it('holds in a partial unique index only documents with every field: the others repeat freely', async () => {
        const { name, c } = fresh();
        await store.ensureIndexes(name, [{ name: 'domain_key', fields: ['domain', 'key'], unique: true, partial: true }]);
        await c.insertOne({ _id: 'a', domain: 'd1' });
        await c.insertOne({ _id: 'b', domain: 'd1' });
        await c.insertOne({ _id: 'k', domain: 'd1', key: 'k1' });
        await c.insertOne({ _id: 'o', domain: 'd2', key: 'k1' });
        await c.insertOne({ _id: 'n', key: 'k1' });
        const err = await c.insertOne({ _id: 'x', domain: 'd1', key: 'k1' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DuplicateKeyError);
        expect(err).toMatchObject({ collection: name, index: 'domain_key' });
        await expect(c.insertMany([{ _id: 'y', domain: 'd3', key: 'k' }, { _id: 'z', domain: 'd3', key: 'k' }])).rejects.toBeInstanceOf(DuplicateKeyError);
        // null exists: two documents holding null collide; a document without the field does not.
        await c.insertOne({ _id: 'null1', domain: 'd4', key: null });
        await expect(c.insertOne({ _id: 'null2', domain: 'd4', key: null })).rejects.toBeInstanceOf(DuplicateKeyError);
        await c.insertOne({ _id: 'c', domain: 'd4' });
        // Taking a key held by another document is refused; giving one up frees it.
        await expect(c.updateOne({ _id: 'a' }, { $set: { key: 'k1' } })).rejects.toBeInstanceOf(DuplicateKeyError);
        await expect(c.replaceOne({ _id: 'b' }, { _id: 'b', domain: 'd1', key: 'k1' })).rejects.toBeInstanceOf(DuplicateKeyError);
        expect(await c.updateOne({ _id: 'k' }, { $unset: { key: true } })).toBe(1);
        expect(await c.updateOne({ _id: 'a' }, { $set: { key: 'k1' } })).toBe(1);
        await c.deleteOne({ _id: 'a' });
        await c.insertOne({ _id: 'again', domain: 'd1', key: 'k1' });
        // Lookups on the index's first field still find every document, held by the index or not.
        expect(idsOf(await c.find({ domain: 'd1' }, byId))).toEqual(['again', 'b', 'k']);
        expect(await c.count({ domain: 'd4' })).toBe(2);
      });

      it('creates a partial unique index over documents without its fields, but not over duplicates it would hold', async () => {
        const { name, c } = fresh();
        await c.insertMany([
          { _id: 'old1', domain: 'd1', data: 'same' },
          { _id: 'old2', domain: 'd1', data: 'same' },
          { _id: 'new1', domain: 'd1', key: 'k1' },
        ]);
        const spec = { name: 'domain_key', fields: ['domain', 'key'], unique: true, partial: true };
        await store.ensureIndexes(name, [spec]);
        await store.ensureIndexes(name, [spec]);
        await expect(c.insertOne({ _id: 'new2', domain: 'd1', key: 'k1' })).rejects.toBeInstanceOf(DuplicateKeyError);
        await expect(store.ensureIndexes(name, [{ ...spec, partial: false }])).rejects.toThrow();

        const dup = fresh();
        await dup.c.insertMany([
          { _id: 'a', domain: 'd1', key: 'k1' },
          { _id: 'b', domain: 'd1', key: 'k1' },
        ]);
        await expect(dup.c.insertOne({ _id: 'c', domain: 'd1' })).resolves.toBeUndefined();
        await expect(store.ensureIndexes(dup.name, [spec])).rejects.toBeInstanceOf(DuplicateKeyError);
        await dup.c.insertOne({ _id: 'd', domain: 'd1', key: 'k1' });
        expect(await dup.c.count({ key: 'k1' })).toBe(3);
      });

      it('refuses an index option that is not a boolean', async () => {
        const { name } = fresh();
        await expect(store.ensureIndexes(name, [{ name: 'k_1', fields: ['k'], partial: 'yes' as unknown as boolean }])).rejects.toThrow(TypeError);
      });

      it('keeps index lookups right through updates and deletes', async () => {
        const { name, c } = fresh();
        await store.ensureIndexes(name, [
          { name: 'email_1', fields: ['email'], unique: true },
          { name: 'kind_1', fields: ['kind'] },
        ]);
        for (let i = 0; i < 20; i++) await c.insertOne({ _id: `d${i}`, email: `u${i}@x`, kind: i % 2 ? 'odd' : 'even' });
        await c.updateOne({ email: 'u3@x' }, { $set: { email: 'moved@x', kind: 'even' } });
        expect(await c.findOne({ email: 'u3@x' })).toBeNull();
        expect((await c.findOne({ email: 'moved@x' }))?._id).toBe('d3');
        expect(await c.count({ kind: 'even' })).toBe(11);
        expect(await c.count({ kind: { $in: ['even', 'odd'] } })).toBe(20);
        await c.deleteOne({ email: 'moved@x' });
        await c.insertOne({ _id: 'new', email: 'moved@x', kind: 'odd' });
        expect(idsOf(await c.find({ kind: 'odd', email: 'moved@x' }))).toEqual(['new']);
        expect(await c.count({ kind: 'even', email: { $regex: '^u1' } })).toBe(5);
      });
    });

    describe('transactions', () => {
      it('commits every write together and returns what fn returned', async () => {
        const a = fresh();
        const b = fresh();
        await a.c.insertOne({ _id: 'keep', v: 1 });
        await a.c.insertOne({ _id: 'gone' });
        const result = await store.transaction(async (tx) => {
          await tx.collection(a.name).insertOne({ _id: 'new', v: 2 });
          await tx.collection(a.name).updateOne({ _id: 'keep' }, { $inc: { v: 10 } });
          await tx.collection(a.name).deleteOne({ _id: 'gone' });
          await tx.collection(b.name).insertOne({ _id: 'other' });
          return 'done';
        });
        expect(result).toBe('done');
        expect(await a.c.find({}, byId)).toEqual([
          { _id: 'keep', v: 11 },
          { _id: 'new', v: 2 },
        ]);
        expect(await b.c.count({})).toBe(1);
      });

      it('rolls back every write when fn throws, and rethrows its error', async () => {
        const a = fresh();
        await a.c.insertOne({ _id: 'keep', v: 1 });
        await a.c.insertOne({ _id: 'stay' });
        const boom = new Error('boom');
        await expect(
          store.transaction(async (tx) => {
            const t = tx.collection(a.name);
            await t.insertOne({ _id: 'new' });
            await t.updateOne({ _id: 'keep' }, { $set: { v: 99 } });
            await t.deleteMany({ _id: 'stay' });
            await t.replaceOne({ _id: 'new' }, { _id: 'new', replaced: true });
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(await a.c.find({}, byId)).toEqual([{ _id: 'keep', v: 1 }, { _id: 'stay' }]);
      });

      it('lets the transaction read its own writes', async () => {
        const a = fresh();
        await a.c.insertOne({ _id: 'old', v: 1, kind: 'k' });
        await a.c.insertOne({ _id: 'doomed', kind: 'k' });
        await store.transaction(async (tx) => {
          const t = tx.collection(a.name);
          await t.insertOne({ _id: 'new', v: 5, kind: 'k' });
          await t.updateOne({ _id: 'old' }, { $set: { v: 2 } });
          await t.deleteOne({ _id: 'doomed' });
          expect(await t.findOne({ _id: 'new' })).toEqual({ _id: 'new', v: 5, kind: 'k' });
          expect(await t.findOne({ _id: 'doomed' })).toBeNull();
          expect(await t.find({ kind: 'k' }, byId)).toEqual([
            { _id: 'new', v: 5, kind: 'k' },
            { _id: 'old', v: 2, kind: 'k' },
          ]);
          expect(await t.count({})).toBe(2);
          expect(await t.count({ v: { $gte: 2 } })).toBe(2);
          expect(await t.group({}, { keys: ['kind'], accumulators: { total: { op: 'sum', field: 'v' } } })).toEqual([
            { kind: 'k', total: 7 },
          ]);
        });
      });

      it('shows a reader outside none of the writes until commit', async () => {
        const a = fresh();
        await a.c.insertOne({ _id: 'old', v: 1 });
        await a.c.insertOne({ _id: 'doomed' });
        await store.transaction(async (tx) => {
          const t = tx.collection(a.name);
          await t.insertOne({ _id: 'new' });
          await t.updateOne({ _id: 'old' }, { $set: { v: 2 } });
          await t.deleteOne({ _id: 'doomed' });
          expect(await a.c.findOne({ _id: 'new' })).toBeNull();
          expect(await a.c.findOne({ _id: 'old' })).toEqual({ _id: 'old', v: 1 });
          expect(await a.c.findOne({ _id: 'doomed' })).toEqual({ _id: 'doomed' });
          expect(await a.c.count({})).toBe(2);
        });
        expect(await a.c.find({}, byId)).toEqual([{ _id: 'new' }, { _id: 'old', v: 2 }]);
      });

      it('makes the writes visible all at once', async () => {
        const a = fresh();
        const seen: number[] = [];
        let done = false;
        const poll = (async () => {
          while (!done) {
            seen.push(await a.c.count({}));
            await new Promise((resolve) => setImmediate(resolve));
          }
        })();
        await store.transaction(async (tx) => {
          for (let i = 0; i < 3; i++) {
            await tx.collection(a.name).insertOne({ _id: `k${i}` });
            await sleep(5);
          }
        });
        seen.push(await a.c.count({}));
        done = true;
        await poll;
        expect(seen).toContain(0);
        expect(seen.filter((n) => n !== 0 && n !== 3)).toEqual([]);
        expect(seen[seen.length - 1]).toBe(3);
      });

      it('loses no update when transactions run concurrently', async () => {
        const a = fresh();
        await a.c.insertOne({ _id: 'counter', v: 0 });
        const bump = () =>
          store.transaction(async (tx) => {
            const t = tx.collection<Doc & { v: number }>(a.name);
            const doc = await t.findOne({ _id: 'counter' });
            await sleep(10);
            await t.replaceOne({ _id: 'counter' }, { _id: 'counter', v: (doc?.v ?? 0) + 1 });
          });
        await Promise.all([bump(), bump(), bump()]);
        expect(await a.c.findOne({ _id: 'counter' })).toEqual({ _id: 'counter', v: 3 });
      });

      it('loses no change made outside between its read and its write', async () => {
        const a = fresh();
        await a.c.insertOne({ _id: 'counter', v: 0 });
        let bumped = false;
        await store.transaction(async (tx) => {
          const t = tx.collection<Doc & { v: number }>(a.name);
          const doc = await t.findOne({ _id: 'counter' });
          if (!bumped) {
            bumped = true;
            await a.c.updateOne({ _id: 'counter' }, { $inc: { v: 1 } });
          }
          await t.replaceOne({ _id: 'counter' }, { _id: 'counter', v: (doc?.v ?? 0) + 10 });
        });
        expect(await a.c.findOne({ _id: 'counter' })).toEqual({ _id: 'counter', v: 11 });
      });

      it('fails as a whole on a unique violation inside it', async () => {
        const a = fresh();
        await store.ensureIndexes(a.name, [{ name: 'email_1', fields: ['email'], unique: true }]);
        await a.c.insertOne({ _id: 'a', email: 'taken' });
        await expect(
          store.transaction(async (tx) => {
            const t = tx.collection(a.name);
            await t.insertOne({ _id: 'b', email: 'free' });
            await t.insertOne({ _id: 'c', email: 'taken' });
          }),
        ).rejects.toMatchObject({ name: 'DuplicateKeyError', index: 'email_1' });
        await expect(
          store.transaction(async (tx) => {
            const t = tx.collection(a.name);
            await t.insertOne({ _id: 'd', email: 'same' });
            await t.insertOne({ _id: 'e', email: 'same' });
          }),
        ).rejects.toBeInstanceOf(DuplicateKeyError);
        expect(idsOf(await a.c.find({}))).toEqual(['a']);
      });

      it('enforces a partial unique index inside a transaction, against stored and staged documents', async () => {
        const a = fresh();
        await store.ensureIndexes(a.name, [{ name: 'domain_key', fields: ['domain', 'key'], unique: true, partial: true }]);
        await a.c.insertOne({ _id: 'held', domain: 'd1', key: 'k1' });
        await a.c.insertOne({ _id: 'legacy', domain: 'd1' });
        await expect(
          store.transaction(async (tx) => {
            await tx.collection(a.name).insertOne({ _id: 'x', domain: 'd1', key: 'k1' });
          }),
        ).rejects.toMatchObject({ name: 'DuplicateKeyError', index: 'domain_key' });
        await expect(
          store.transaction(async (tx) => {
            const t = tx.collection(a.name);
            await t.insertOne({ _id: 'y', domain: 'd1', key: 'k2' });
            await t.insertOne({ _id: 'z', domain: 'd1', key: 'k2' });
          }),
        ).rejects.toBeInstanceOf(DuplicateKeyError);
        await store.transaction(async (tx) => {
          const t = tx.collection(a.name);
          await t.insertOne({ _id: 'legacy2', domain: 'd1' });
          await t.deleteOne({ _id: 'held' });
          await t.insertOne({ _id: 'taker', domain: 'd1', key: 'k1' });
        });
        expect(idsOf(await a.c.find({ domain: 'd1' }, byId))).toEqual(['legacy', 'legacy2', 'taker']);
      });

      it('allows a key to move between documents inside one transaction', async () => {
        const a = fresh();
        await store.ensureIndexes(a.name, [{ name: 'slot_1', fields: ['slot'], unique: true }]);
        await a.c.insertOne({ _id: 'a', slot: 1 });
        await store.transaction(async (tx) => {
          const t = tx.collection(a.name);
          await t.updateOne({ _id: 'a' }, { $set: { slot: 2 } });
          await t.insertOne({ _id: 'b', slot: 1 });
        });
        expect(await a.c.find({}, byId)).toEqual([
          { _id: 'a', slot: 2 },
          { _id: 'b', slot: 1 },
        ]);
      });
    });

    describe('ping', () => {
      it('answers while the store is up', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });
  });
}
