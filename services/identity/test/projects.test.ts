import { status } from '@grpc/grpc-js';
import { codeOf } from '../../../test/support/grpc-clients';
import { startTestIdentity, type IdentityClients, type IdentityHarness } from '../../../test/support/identity';

describe('identity: project groups and projects over gRPC', () => {
  let h: IdentityHarness;
  let admin: IdentityClients;
  let other: IdentityClients;
  beforeAll(async () => {
    h = await startTestIdentity();
    admin = h.as((await h.root.domains.create({ name: 'Tree' })).key);
    other = h.as((await h.root.domains.create({ name: 'Other' })).key);
  });
  afterAll(() => h.stop());

  it('builds a tree and moves a group, refusing cycles', async () => {
    const root = (await admin.groups.create({ name: 'Root' })).projectGroup;
    const child = (await admin.groups.create({ name: 'Child', parentGroupId: root.projectGroupId })).projectGroup;
    const leaf = (await admin.groups.create({ name: 'Leaf', parentGroupId: child.projectGroupId })).projectGroup;
    expect(leaf.parentGroupId).toBe(child.projectGroupId);
    const cycle = await codeOf(admin.groups.update({ projectGroupId: root.projectGroupId, parentGroupId: leaf.projectGroupId }));
    expect(cycle).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'parent_group_id', reason: 'PROJECT_GROUP.CYCLE' });
    const self = await codeOf(admin.groups.update({ projectGroupId: root.projectGroupId, parentGroupId: root.projectGroupId }));
    expect(self.code).toBe(status.INVALID_ARGUMENT);
    const moved = await admin.groups.update({ projectGroupId: leaf.projectGroupId, parentGroupId: '' });
    expect(moved.projectGroup.parentGroupId).toBe('');
    expect((await admin.groups.get({ projectGroupId: root.projectGroupId })).projectGroup.parentGroupId).toBe('');
  });

  it('refuses to delete a group with children or a project with service accounts', async () => {
    const g = (await admin.groups.create({ name: 'Parent' })).projectGroup;
    const p = (await admin.projects.create({ name: 'Web', projectGroupId: g.projectGroupId })).project;
    const e = await codeOf(admin.groups.delete({ projectGroupId: g.projectGroupId }));
    expect(e).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'PROJECT_GROUP.NOT_EMPTY' });
    await admin.accounts.create({ name: 'acct', provider: 'aws', projectId: p.projectId, data: { account_id: '123456789012' } });
    const e2 = await codeOf(admin.projects.delete({ projectId: p.projectId }));
    expect(e2).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'PROJECT.HAS_SERVICE_ACCOUNTS' });
    expect((await admin.projects.get({ projectId: p.projectId })).project.name).toBe('Web');
  });

  it('deletes empty groups and projects', async () => {
    const g = (await admin.groups.create({ name: 'Temp' })).projectGroup;
    const p = (await admin.projects.create({ name: 'TempP', projectGroupId: g.projectGroupId })).project;
    await admin.projects.delete({ projectId: p.projectId });
    await admin.groups.delete({ projectGroupId: g.projectGroupId });
    expect((await codeOf(admin.groups.get({ projectGroupId: g.projectGroupId }))).code).toBe(status.NOT_FOUND);
    expect((await codeOf(admin.projects.get({ projectId: p.projectId }))).code).toBe(status.NOT_FOUND);
  });

  it('validates arguments, naming the field', async () => {
    expect(await codeOf(admin.projects.create({ name: '' }))).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'name' });
    expect(await codeOf(admin.projects.create({ name: 'x'.repeat(201) }))).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'name' });
    expect(await codeOf(admin.projects.create({ name: 'x', tags: { 'bad key!': 'v' } }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: 'tags.bad key!',
    });
    expect(await codeOf(admin.projects.create({ name: 'x', tags: { nested: { a: 1 } } }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: 'tags.nested',
    });
    expect(await codeOf(admin.projects.create({ name: 'x', projectGroupId: 'pg-doesnotexist' }))).toMatchObject({ code: status.NOT_FOUND });
    expect(await codeOf(admin.projects.get({ projectId: '' }))).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'project_id' });
    expect(await codeOf(admin.groups.update({ projectGroupId: '' }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: 'project_group_id',
    });
  });

  it("treats another domain's ids as NOT_FOUND and changes nothing", async () => {
    const g = (await admin.groups.create({ name: 'Mine' })).projectGroup;
    const p = (await admin.projects.create({ name: 'MineP', projectGroupId: g.projectGroupId })).project;
    for (const call of [
      other.projects.get({ projectId: p.projectId }),
      other.projects.update({ projectId: p.projectId, name: 'stolen' }),
      other.projects.delete({ projectId: p.projectId }),
      other.groups.get({ projectGroupId: g.projectGroupId }),
      other.groups.update({ projectGroupId: g.projectGroupId, name: 'stolen' }),
      other.groups.delete({ projectGroupId: g.projectGroupId }),
      other.projects.create({ name: 'sneaky', projectGroupId: g.projectGroupId }),
      other.groups.create({ name: 'sneaky', parentGroupId: g.projectGroupId }),
    ]) {
      expect((await codeOf(call)).code).toBe(status.NOT_FOUND);
    }
    expect((await admin.projects.get({ projectId: p.projectId })).project.name).toBe('MineP');
    expect((await admin.groups.get({ projectGroupId: g.projectGroupId })).projectGroup.name).toBe('Mine');
    expect((await other.projects.list({})).totalCount).toBe(0);
  });

  it('lists with the Query language: filters, or, sort, paging, only, keyword', async () => {
    const d = h.as((await h.root.domains.create({ name: 'Query' })).key);
    for (const [name, env] of [['alpha', 'prod'], ['beta', 'dev'], ['gamma', 'prod'], ['delta', 'dev'], ['epsilon', 'prod']]) {
      await d.projects.create({ name, tags: { env } });
    }
    const prod = await d.projects.list({ query: { filter: [{ k: 'tags.env', v: 'prod', o: 'eq' }], sort: [{ key: 'name', desc: true }] } });
    expect(prod.results.map((p: { name: string }) => p.name)).toEqual(['gamma', 'epsilon', 'alpha']);
    const ors = await d.projects.list({ query: { filterOr: [{ k: 'name', v: 'alpha' }, { k: 'name', v: 'delta' }] } });
    expect(ors.totalCount).toBe(2);
    const page = await d.projects.list({ query: { sort: [{ key: 'name' }], page: { start: 2, limit: 2 } } });
    expect(page.results.map((p: { name: string }) => p.name)).toEqual(['beta', 'delta']); // start is the 1-based index of the first item, as in SpaceONE
    expect(page.totalCount).toBe(5);
    const inList = await d.projects.list({ query: { filter: [{ k: 'name', v: ['beta', 'gamma'], o: 'in' }] } });
    expect(inList.totalCount).toBe(2);
    const contain = await d.projects.list({ query: { filter: [{ k: 'name', v: 'LT', o: 'contain' }] } });
    expect(contain.results.map((p: { name: string }) => p.name)).toEqual(['delta']);
    const kw = await d.projects.list({ query: { keyword: 'silo' } });
    expect(kw.results.map((p: { name: string }) => p.name)).toEqual(['epsilon']);
    const only = await d.projects.list({ query: { only: ['name'], page: { limit: 1 } } });
    expect(only.results[0]).toMatchObject({ name: 'alpha', projectGroupId: '' });
    expect(only.results[0].tags).toBeUndefined();
    const since = await d.projects.list({ query: { filter: [{ k: 'created_at', v: '2000-01-01T00:00:00Z', o: 'datetime_gt' }] } });
    expect(since.totalCount).toBe(5);
  });

  it('rejects unknown fields and operators and bad values', async () => {
    const cases: [object, string][] = [
      [{ filter: [{ k: 'nope', v: 'x' }] }, 'query.filter[0].k'],
      [{ filter: [{ k: 'name', v: 'x', o: 'like' }] }, 'query.filter[0].o'],
      [{ filter: [{ k: 'name', v: ['a'], o: 'eq' }] }, 'query.filter[0].v'],
      [{ filter: [{ k: 'name', v: 'a', o: 'in' }] }, 'query.filter[0].v'],
      [{ filter: [{ k: 'created_at', v: 'yesterday', o: 'datetime_gt' }] }, 'query.filter[0].v'],
      [{ filter: [{ k: 'name', v: '(', o: 'regex' }] }, 'query.filter[0].v'],
      [{ sort: [{ key: 'secret' }] }, 'query.sort[0].key'],
      [{ page: { limit: 100000 } }, 'query.page.limit'],
      [{ only: ['key_hash'] }, 'query.only[0]'],
    ];
    for (const [query, field] of cases) {
      expect(await codeOf(admin.projects.list({ query }))).toMatchObject({ code: status.INVALID_ARGUMENT, field });
    }
  });

  it('computes Stat per group', async () => {
    const d = h.as((await h.root.domains.create({ name: 'Stats' })).key);
    const g = (await d.groups.create({ name: 'G' })).projectGroup;
    await d.projects.create({ name: 'a', projectGroupId: g.projectGroupId });
    await d.projects.create({ name: 'b', projectGroupId: g.projectGroupId });
    await d.projects.create({ name: 'c' });
    const res = await d.projects.stat({
      query: { groupBy: ['project_group_id'], fields: [{ name: 'projects', operator: 'count' }], sort: [{ key: 'projects', desc: true }] },
    });
    expect(res.result.results).toEqual([
      { project_group_id: g.projectGroupId, projects: 2 },
      { project_group_id: '', projects: 1 },
    ]);
    expect(res.result.totalCount).toBe(2);
    expect(await codeOf(d.projects.stat({ query: { fields: [{ name: 'x', operator: 'median', key: 'name' }] } }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
    });
  });

  it('refuses oversized messages with RESOURCE_EXHAUSTED', async () => {
    const e = await codeOf(admin.projects.create({ name: 'big', tags: { blob: 'x'.repeat(300 * 1024) } }));
    expect(e.code).toBe(status.RESOURCE_EXHAUSTED);
    expect((await admin.projects.list({ query: { filter: [{ k: 'name', v: 'big' }] } })).totalCount).toBe(0);
  });
});
