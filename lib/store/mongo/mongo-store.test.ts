import { MongoClient } from 'mongodb';
import { planTestMongo, startTestMongo, warnMongoSkipped, type TestMongo } from '../../testenv/mongo';
import { DuplicateKeyError } from '../port';
import { runStoreContract } from '../store-contract';
import { mapMongoError } from './mongo-errors';
import { groupPipeline, groupRows } from './mongo-group';
import { createMongoStore } from './mongo-store';

const plan = planTestMongo();

if (plan.kind === 'none') {
  warnMongoSkipped(plan.reason);
  describe.skip(`MongoDB contract suite SKIPPED: ${plan.reason}`, () => {
    it('runs the store contract against MongoDB', () => undefined);
  });
} else {
  let mongo: TestMongo | undefined;
  const database = `tally_store_contract_${process.pid}_${Date.now().toString(36)}`;
  runStoreContract(
    `MongoDB (${plan.kind === 'url' ? 'TALLY_TEST_MONGO_URL' : 'mongo:7 container'})`,
    async () => {
      mongo = await startTestMongo(plan);
      const store = await createMongoStore({ url: mongo.url, database, serverSelectionTimeoutMS: 10_000 });
      try {
        // Fail the suite at once, with the driver's reason, when the server does not answer.
        await store.ping();
      } catch (err) {
        await store.close();
        await mongo.stop();
        throw err;
      }
      return store;
    },
    async (store) => {
      try {
        if (mongo) {
          const client = new MongoClient(mongo.url);
          try {
            await client.db(database).dropDatabase();
          } finally {
            await client.close();
          }
        }
      } finally {
        await store.close();
        await mongo?.stop();
      }
    },
  );
}

describe('MongoDB adapter without a server', () => {
  it('maps duplicate key errors (code 11000) to DuplicateKeyError with the index name', () => {
    const driverError = Object.assign(
      new Error('E11000 duplicate key error collection: db.users index: email_1 dup key: { email: "a" }'),
      { code: 11000 },
    );
    const mapped = mapMongoError(driverError, 'users');
    expect(mapped).toBeInstanceOf(DuplicateKeyError);
    expect(mapped).toMatchObject({ collection: 'users', index: 'email_1', cause: driverError });
    const fromPattern = mapMongoError(Object.assign(new Error('dup'), { code: 11000, keyPattern: { a: 1, b: 1 } }), 'c');
    expect(fromPattern).toMatchObject({ index: 'a_1_b_1' });
    // insertMany's bulk write error carries the duplicate as its first write error.
    const bulk = Object.assign(new Error('bulk write failed'), {
      writeErrors: [{ code: 11000, errmsg: 'E11000 duplicate key error collection: db.c index: slot_1 dup key: { slot: 1 }' }],
    });
    expect(mapMongoError(bulk, 'c')).toMatchObject({ name: 'DuplicateKeyError', collection: 'c', index: 'slot_1', cause: bulk });
    const other = Object.assign(new Error('WriteConflict'), { code: 112 });
    expect(mapMongoError(other, 'users')).toBe(other);
  });

  it('builds a $match/$group/$sort pipeline that groups missing keys with null', () => {
    const pipeline = groupPipeline(
      { domain: 'd' },
      { keys: ['project', 'tags.env'], accumulators: { n: { op: 'count' }, total: { op: 'sum', field: 'cost' } } },
    );
    expect(pipeline).toEqual([
      { $match: { domain: 'd' } },
      {
        $group: {
          _id: { k0: { $ifNull: ['$project', null] }, k1: { $ifNull: ['$tags.env', null] } },
          a0: { $sum: 1 },
          a1: { $sum: '$cost' },
        },
      },
      { $sort: { _id: 1 } },
    ]);
    expect(groupPipeline({}, { keys: [], accumulators: { m: { op: 'max', field: 'x' } } })[1]).toEqual({
      $group: { _id: null, a0: { $max: '$x' } },
    });
  });

  it('shapes $group output like the embedded store: keys by name, addToSet sorted', () => {
    const rows = groupRows(
      [{ _id: { k0: 'p1', k1: null }, a0: 2, a1: ['b', 'a', 3] }],
      { keys: ['project', 'tags.env'], accumulators: { n: { op: 'count' }, seen: { op: 'addToSet', field: 'x' } } },
    );
    expect(rows).toEqual([{ project: 'p1', 'tags.env': null, n: 2, seen: [3, 'a', 'b'] }]);
  });

  it('refuses a bad URL or a missing database name at once', async () => {
    await expect(createMongoStore({ url: 'http://nope', database: 'x' })).rejects.toThrow();
    await expect(createMongoStore({ url: 'mongodb://127.0.0.1:1', database: '' })).rejects.toThrow(/database/);
  });

  it('rejects ping and operations while MongoDB is unreachable', async () => {
    const store = await createMongoStore({ url: 'mongodb://127.0.0.1:1', database: 'x', serverSelectionTimeoutMS: 200 });
    try {
      await expect(store.ping()).rejects.toThrow();
      await expect(store.collection('c').findOne({ _id: 'a' })).rejects.toThrow();
    } finally {
      await store.close();
    }
  });

  it('checks input before it reaches the server', async () => {
    const store = await createMongoStore({ url: 'mongodb://127.0.0.1:1', database: 'x', serverSelectionTimeoutMS: 200 });
    try {
      const c = store.collection('c');
      await expect(c.find({ owner: undefined })).rejects.toThrow(/undefined/);
      await expect(c.insertOne({ v: 1 } as never)).rejects.toThrow(/_id/);
      await expect(c.updateOne({ _id: 'a' }, { $push: { x: 1 } } as never)).rejects.toThrow(/\$push/);
      expect(() => store.collection('bad$name')).toThrow(/collection name/);
    } finally {
      await store.close();
    }
  });
});
