import { Decimal } from '../../lib/money';
import { describeWithNats } from '../../lib/testenv/nats';
import { startTestGateway, type GatewayHarness } from '../support/gateway-harness';
import { eventually, startSuite, type Suite } from '../support/suite';
import type { Transport } from './transports';

const today = new Date().toISOString().slice(0, 10);
const yearAgo = (() => {
  const d = new Date();
  d.setUTCMonth(d.getUTCMonth() - 12, 1);
  return d.toISOString().slice(0, 10);
})();
const sum = (...xs: string[]) => xs.reduce((a, x) => a.add(Decimal.parse(x)), Decimal.ZERO).toString();

/** Months `YYYYMM` from start to end, as the fake Hyper Billing API keys its totals. */
export function monthsBetween(start: string, end: string): string[] {
  const out: string[] = [];
  const d = new Date(`${start.slice(0, 7)}-01T00:00:00Z`);
  while (d.toISOString().slice(0, 7) <= end.slice(0, 7)) {
    out.push(d.toISOString().slice(0, 7).replace('-', ''));
    d.setUTCMonth(d.getUTCMonth() + 1);
  }
  return out;
}

/**
 * The user's flow of DESIGN section 1, through the gateway only, over one transport: providers,
 * a project tree, two Hyper Billing accounts registered with credentials the fake API issued,
 * their costs per domain, project and group, a move, a deletion, and the errors a user meets.
 * Identity and billing keep in step over a real NATS JetStream, as in production.
 */
export function describeUserFlow(title: string, connect: (gw: GatewayHarness, key: string) => Transport): void {
  describeWithNats(title, (nats) => {
    let s: Suite;
    let gw: GatewayHarness;
    let t: Transport;
    let otherDomain: Transport;
    let stranger: Transport;
    const ids: Record<string, string> = {};

    const total = (filter: { k: string; v: string }[] = []) => t.total(yearAgo, today, filter);
    const byProject = (id: string) => total([{ k: 'project_id', v: id }]);
    const byGroup = (id: string) => total([{ k: 'project_group_id', v: id }]);
    const byAccount = (id: string) => total([{ k: 'service_account_id', v: id }]);
    const settles = (what: string, read: () => Promise<string>, expected: string) => eventually(read, (v) => v === expected, what);

    async function register(name: string, hbAccount: string, projectId: string): Promise<string> {
      s.fake.addAccount(hbAccount);
      const id = await t.createAccount(name, projectId, s.fake.issueCredentials([hbAccount]));
      await eventually(() => t.jobStates(id), (st) => st.length > 0 && st.every((x) => x !== 'IN_PROGRESS'), `the first sync of ${name}`, 60_000);
      expect(await t.jobStates(id)).toEqual(['SUCCESS']);
      return id;
    }

    beforeAll(async () => {
      s = await startSuite({ natsUrl: nats().url });
      gw = await startTestGateway(s);
      const mine = await s.identity.root.domains.create({ name: 'Flow' });
      const theirs = await s.identity.root.domains.create({ name: 'Elsewhere' });
      t = connect(gw, mine.key);
      otherDomain = connect(gw, theirs.key);
      stranger = connect(gw, 'tally_nobody_wrongsecret');
    }, 60_000);
    afterAll(async () => {
      for (const x of [t, otherDomain, stranger]) x?.close();
      await gw?.stop();
      await s?.stop();
    }, 30_000);

    it('lists the built-in providers, Hyper Billing among the billing ones', async () => {
      const providers = await t.providers();
      expect(providers.map((p) => p.provider)).toEqual(expect.arrayContaining(['aws', 'google_cloud', 'azure', 'hyperbilling']));
      expect(providers.find((p) => p.provider === 'hyperbilling')).toEqual({ provider: 'hyperbilling', isBilling: true, builtIn: true });
    });

    it('creates a project group with a subgroup, and projects in and out of it', async () => {
      ids.platform = await t.createGroup('Platform');
      ids.data = await t.createGroup('Data', ids.platform);
      ids.web = await t.createProject('Web', ids.platform);
      ids.lake = await t.createProject('Lake', ids.data);
      ids.other = await t.createProject('Other');
      expect(Object.values(ids).every((id) => /^(pg|project)-/.test(id))).toBe(true);
    });

    it('registers a Hyper Billing account; once synced its costs are those the provider reports', async () => {
      ids.a = await register('HB A', '500000000001', ids.web);
      const expected = sum(...monthsBetween(yearAgo, today).map((m) => s.fake.monthTotal('500000000001', m)));
      expect(expected).not.toBe('0');
      expect(await total()).toBe(expected);
      expect(await byProject(ids.web)).toBe(expected);
    }, 90_000);

    it('a second account: the domain total is the sum over accounts; projects and groups show their own', async () => {
      ids.b = await register('HB B', '500000000002', ids.lake);
      const [a, b] = [await byAccount(ids.a), await byAccount(ids.b)];
      expect(await total()).toBe(sum(a, b));
      expect(await t.totalsBy(yearAgo, today, 'project_id')).toEqual({ [ids.web]: a, [ids.lake]: b });
      expect(await byProject(ids.other)).toBe('0');
      expect(await byGroup(ids.platform)).toBe(sum(a, b));
      expect(await byGroup(ids.data)).toBe(b);
    }, 90_000);

    it('moves an account: both project totals change, the domain total does not', async () => {
      const [a, b, domain] = [await byAccount(ids.a), await byAccount(ids.b), await total()];
      await t.moveAccount(ids.a, ids.other);
      await settles('Web to lose account A', () => byProject(ids.web), '0');
      expect(await byProject(ids.other)).toBe(a);
      expect(await byGroup(ids.platform)).toBe(b);
      expect(await total()).toBe(domain);
    });

    it('deletes an account: its costs leave every view', async () => {
      const a = await byAccount(ids.a);
      await t.deleteAccount(ids.b);
      await settles('the domain total to drop account B', () => total(), a);
      expect(await byProject(ids.lake)).toBe('0');
      expect(await byGroup(ids.data)).toBe('0');
      expect(await byGroup(ids.platform)).toBe('0');
      expect(await t.totalsBy(yearAgo, today, 'project_id')).toEqual({ [ids.other]: a });
    });

    it('a billing account without a project is INVALID_ARGUMENT naming project_id', async () => {
      s.fake.addAccount('500000000003');
      const err = await t.failure(t.createAccount('no project', undefined, s.fake.issueCredentials(['500000000003'])));
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'project_id' });
      expect(err.message).toMatch(/project/i);
      if (t.kind === 'http') expect(err.httpStatus).toBe(400);
    });

    it('a wrong API key is UNAUTHENTICATED', async () => {
      const err = await t.failure(stranger.providers());
      expect(err.code).toBe('UNAUTHENTICATED');
      if (t.kind === 'http') expect(err.httpStatus).toBe(401);
    });

    it("another domain's key on this domain's ids is NOT_FOUND and changes nothing", async () => {
      const domain = await total();
      for (const call of [otherDomain.getProject(ids.other), otherDomain.moveAccount(ids.a, ids.web), otherDomain.deleteAccount(ids.a)]) {
        const err = await t.failure(call);
        expect(err.code).toBe('NOT_FOUND');
        if (t.kind === 'http') expect(err.httpStatus).toBe(404);
      }
      expect(await otherDomain.total(yearAgo, today, [{ k: 'service_account_id', v: ids.a }])).toBe('0');
      expect(await total()).toBe(domain);
      expect(await byProject(ids.other)).toBe(domain);
    });
  });
}
