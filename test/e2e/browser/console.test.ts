import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createMemoryLogger } from '../../../lib/log/logger';
import { Decimal } from '../../../lib/money';
import { createFocusPlugin } from '../../../plugins/focus';
import { rewriteSample, SAMPLE_RANGE } from '../../../plugins/focus/testing/sample';
import { serve } from '../../../plugins/sdk';
import { startTestGateway, type GatewayHarness } from '../../support/gateway-harness';
import { eventually, startSuite, type Suite } from '../../support/suite';
import { chromiumMissing, launchChromium, shot, until } from './chromium';

const missing = chromiumMissing();
const sum = (...xs: string[]) => xs.reduce((a, x) => a.add(Decimal.parse(x)), Decimal.ZERO).toString();
const monthStart = (offset: number) => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
};
const today = () => new Date().toISOString().slice(0, 10);

if (missing) {
  describe('web console in headless Chromium', () => {
    const check = () => {
      throw new Error(missing);
    };
    if (process.env.CI === 'true') it('needs Chromium (CI=true: a missing browser is a failure)', check);
    else it.skip(`SKIPPED: ${missing}`, check);
  });
} else {
  /**
   * The user's flow of DESIGN section 1 in a real browser against the suite: sign in, add a Hyper
   * Billing account through the wizard, watch the dashboard and project pages follow its cost
   * through a move and a deletion, and meet the missing-project error where it belongs.
   */
  describe('web console in headless Chromium', () => {
    let s: Suite;
    let gw: GatewayHarness;
    let browser: Browser;
    let page: Page;
    let key: string;
    const ids: Record<string, string> = {};
    const pageErrors: string[] = [];
    const api = async (path: string, body: object) => {
      const res = await gw.post(path, body, key);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const accountCost = async (id: string) =>
      (await api('/billing/cost/analyze', { granularity: 'GRANULARITY_ACCUMULATED', start: monthStart(-11), end: today(), filter: [{ k: 'service_account_id', v: id }] })).total as string;
    const synced = (id: string) =>
      eventually(
        async () => (await api('/billing/job/list', { query: { filter: [{ k: 'service_account_id', v: id }] } })).results.map((j: { state: string }) => j.state),
        (st: string[]) => st.includes('JOB_STATE_SUCCESS'),
        `the first sync of ${id}`,
        30_000,
      );
    const amount = (testid: string) => page.getByTestId(testid).getAttribute('data-amount', { timeout: 10_000 });
    const open = async (hash: string) => {
      await page.goto(`${gw.httpUrl}/${hash}`);
      await page.locator('.state-loading').first().waitFor({ state: 'detached', timeout: 10_000 });
    };
    const settles = async (what: string, hash: string, testid: string, expected: string) => {
      await open(hash);
      await until(what, () => amount(testid), expected, 20_000, () => open(hash));
    };

    beforeAll(async () => {
      s = await startSuite();
      gw = await startTestGateway(s);
      key = (await s.identity.root.domains.create({ name: 'Console' })).key;
      ids.platform = (await api('/identity/project-group/create', { name: 'Platform' })).project_group.project_group_id;
      ids.web = (await api('/identity/project/create', { name: 'Web', project_group_id: ids.platform })).project.project_id;
      ids.other = (await api('/identity/project/create', { name: 'Other' })).project.project_id;
      s.fake.addAccount('700000000001');
      ids.base = (await api('/identity/service-account/create', { name: 'HB base', provider: 'hyperbilling', project_id: ids.other, secret_data: s.fake.issueCredentials(['700000000001']) })).service_account.service_account_id;
      browser = await launchChromium();
      page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })).newPage();
      page.setDefaultTimeout(10_000);
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) pageErrors.push(m.text());
      });
      await synced(ids.base);
    }, 60_000);
    afterAll(async () => {
      if (pageErrors.length) console.error(`errors in the page:\n${pageErrors.slice(0, 5).join('\n')}`);
      await browser?.close();
      await gw?.stop();
      await s?.stop();
    }, 30_000);

    it('serves the console from the gateway, with a strict content security policy', async () => {
      const res = await fetch(`${gw.httpUrl}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect((await fetch(`${gw.httpUrl}/console/js/app.js`)).headers.get('content-type')).toMatch(/javascript/);
      expect((await fetch(`${gw.httpUrl}/console/..%2f..%2fhttp%2fstatic-files.ts`)).status).toBe(404);
      expect((await fetch(`${gw.httpUrl}/console/nothing.js`)).status).toBe(404);
      expect((await fetch(`${gw.httpUrl}/console/styles.css`, { method: 'HEAD' })).headers.get('content-type')).toMatch(/text\/css/);
      expect((await fetch(`${gw.httpUrl}/identity/project/list`)).status).toBe(405);
    });

    it('refuses a wrong key, signs in with the right one and keeps it for the session only', async () => {
      await page.goto(gw.httpUrl);
      await page.getByLabel('API key').fill('tally_wrong_key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('This API key is not valid.').waitFor();
      await shot(page, '01-sign-in-error');
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      expect(await page.evaluate('({ session: sessionStorage.length, local: localStorage.length })')).toEqual({ session: 1, local: 0 });
      expect(await amount('dashboard-total')).toBe(await accountCost(ids.base));
      await shot(page, '02-dashboard');
      expect(await page.evaluate('document.activeElement.id')).toBe('main');
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement.id')).toBe('period');
      await page.keyboard.press('Shift+Tab');
      expect(await page.evaluate('document.activeElement.textContent')).toBe('Data sources & jobs');
    });

    it('adds a Hyper Billing account through the wizard; the dashboard total grows by its cost once synced', async () => {
      const before = await amount('dashboard-total');
      await open('#/accounts/new');
      expect(await page.getByLabel(/Hyper Billing/).isChecked()).toBe(true);
      await page.getByRole('button', { name: 'Next' }).click();
      s.fake.addAccount('700000000002');
      const creds = s.fake.issueCredentials(['700000000002']);
      await page.getByLabel('Name').fill('HB console');
      await page.getByLabel(/^Project/).selectOption({ label: 'Platform / Web' });
      await page.getByLabel('Account', { exact: true }).fill(creds.account_id);
      await page.getByLabel('Email').fill(creds.client_email);
      const keyField = page.getByLabel('Key', { exact: true });
      expect(await keyField.evaluate((el) => el.tagName)).toBe('TEXTAREA');
      await keyField.fill(creds.private_key);
      await shot(page, '03-wizard');
      await page.getByRole('button', { name: 'Add account' }).click();
      await page.waitForURL(`**/#/projects/${ids.web}`);
      const [sa] = (await api('/identity/service-account/list', { query: { filter: [{ k: 'name', v: 'HB console' }] } })).results;
      ids.added = sa.service_account_id;
      expect(sa.project_id).toBe(ids.web);
      await synced(ids.added);
      const cost = await accountCost(ids.added);
      expect(cost).not.toBe('0');
      await settles('the dashboard to add the new account', '#/dashboard', 'dashboard-total', sum(before!, cost));
      await shot(page, '04-dashboard-after-add');
      expect(await page.getByTestId('unsynced').textContent()).toContain('Every account has synced');
      expect(await page.content()).not.toContain(creds.private_key.split('\n')[2]);
    }, 45_000);

    it("opens the account's project page, moves it to another project: both project pages change", async () => {
      const [cost, base] = [await accountCost(ids.added), await accountCost(ids.base)];
      await settles('the Web page to show the account', `#/projects/${ids.web}`, 'project-total', cost);
      await page.getByTestId('accounts-table').getByText('HB console').waitFor();
      await shot(page, '05-project-web');
      await page.getByRole('button', { name: 'Move HB console' }).click();
      await page.getByLabel('Move to project').selectOption({ label: 'Other' });
      await shot(page, '06-move-dialog');
      await page.getByRole('dialog').getByRole('button', { name: 'Move' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await settles('the Web page to lose the account', `#/projects/${ids.web}`, 'project-total', '0');
      await page.getByText('No service accounts here yet.').waitFor();
      await shot(page, '07-project-web-after-move');
      await settles('the Other page to gain the account', `#/projects/${ids.other}`, 'project-total', sum(base, cost));
      await shot(page, '08-project-other-after-move');
      await open(`#/groups/${ids.platform}`);
      expect(await amount('group-total')).toBe('0');
      await shot(page, '08b-group-platform');
    });

    it('deletes it after confirmation: the dashboard total drops back', async () => {
      const base = await accountCost(ids.base);
      await open(`#/projects/${ids.other}`);
      await page.getByRole('button', { name: 'Delete HB console' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      expect(await page.getByTestId('accounts-table').getByText('HB console').count()).toBe(1);
      await page.getByRole('button', { name: 'Delete HB console' }).click();
      await shot(page, '09-delete-confirm');
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await settles('the dashboard to drop the deleted account', '#/dashboard', 'dashboard-total', base);
    });

    it('the wizard without a project shows the API’s reason next to the project field', async () => {
      await open('#/accounts/new');
      await page.getByRole('button', { name: 'Next' }).click();
      s.fake.addAccount('700000000003');
      const creds = s.fake.issueCredentials(['700000000003']);
      await page.getByLabel('Name').fill('HB no project');
      await page.getByLabel('Account', { exact: true }).fill(creds.account_id);
      await page.getByLabel('Email').fill(creds.client_email);
      await page.getByLabel('Key', { exact: true }).fill(creds.private_key);
      await page.getByRole('button', { name: 'Add account' }).click();
      const projectSelect = page.getByLabel(/^Project/);
      await page.locator('select[aria-invalid="true"]').waitFor();
      const errorId = (await projectSelect.getAttribute('aria-describedby'))!.split(' ').pop()!;
      const message = await page.locator(`[id="${errorId}"]`).textContent();
      const apiError = await gw.post('/identity/service-account/create', { name: 'x', provider: 'hyperbilling', secret_data: creds }, key);
      expect(apiError.body.details.field).toBe('project_id');
      expect(message).toBe(apiError.body.message);
      await shot(page, '10-wizard-missing-project');
    });

    it('shows the other pages: projects, accounts, cost analysis with its CSV, data sources and jobs', async () => {
      await open('#/projects');
      await page.getByRole('link', { name: 'Web' }).waitFor();
      await shot(page, '11-projects');
      await open('#/accounts');
      await page.getByTestId('accounts-table').getByText('HB base').waitFor();
      await shot(page, '12-accounts');
      await open('#/analysis');
      await page.getByTestId('analysis-table').waitFor();
      await shot(page, '13-cost-analysis');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
      const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
      const shown = await page.getByTestId('analysis-table').locator('tbody tr').count();
      expect(csv).toHaveLength(shown + 2);
      expect(csv[0]).toMatch(/^Project,/);
      expect(csv[csv.length - 1]).toMatch(new RegExp(`^Total,.*,${(await amount('analysis-total'))!.replace('.', '\\.')}$`));
      await open('#/data-sources');
      const jobRows = page.getByTestId('jobs-table').locator('tbody tr');
      const jobsBefore = await jobRows.count();
      await page.getByRole('button', { name: 'Sync now' }).click();
      await page.getByText('Sync now: done.').waitFor();
      await until('the sync to show as a job', () => jobRows.count(), jobsBefore + 1, 10_000);
      await page.getByRole('button', { name: 'Disable' }).click();
      await page.getByRole('button', { name: 'Enable' }).waitFor();
      expect(await page.getByTestId('sources-table').textContent()).toContain('disabled');
      await page.getByRole('button', { name: 'Enable' }).click();
      await page.getByRole('button', { name: 'Disable' }).waitFor();
      await shot(page, '14-data-sources');
      await open('#/accounts');
      await page.getByRole('button', { name: 'Rename HB base' }).click();
      await page.getByRole('dialog').getByLabel('Name').fill('HB base (renamed)');
      await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
      await page.getByTestId('accounts-table').getByText('HB base (renamed)').waitFor();
      expect((await api('/identity/service-account/get', { service_account_id: ids.base })).service_account.name).toBe('HB base (renamed)');
      await page.setViewportSize({ width: 390, height: 844 });
      await open('#/dashboard');
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('link', { name: 'Cost analysis' }).waitFor();
      await shot(page, '15-dashboard-narrow');
      await page.setViewportSize({ width: 1280, height: 800 });
    }, 30_000);

    it('shows in the jobs table what a plugin skipped, and where', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'console-focus-'));
      const focus = await serve(createFocusPlugin(), { name: 'focus', port: 0, logger: createMemoryLogger('focus', 'warn').logger, handleSignals: false, shutdownGraceMs: 200 });
      try {
        const file = join(dir, 'export.csv');
        writeFileSync(file, rewriteSample((rs) => rs.map((r, i) => (i === 4 ? r.map((v, c) => (c === rs[0].indexOf('BilledCost') ? 'n/a' : v)) : r))));
        const ds = (await api('/billing/data-source/register', { name: 'FOCUS exports', plugin_endpoint: `127.0.0.1:${focus.port}`, options: { on_bad_rows: 'skip' } })).data_source;
        const sa = (await api('/identity/service-account/create', { name: 'FOCUS big', provider: 'focus', project_id: ids.other, data: { account_id: '11353890204' }, secret_data: { location: file } }))
          .service_account.service_account_id;
        await api('/billing/data-source/sync', { data_source_id: ds.data_source_id, start_date: SAMPLE_RANGE.start, end_date: SAMPLE_RANGE.end });
        await synced(sa);
        await open('#/data-sources');
        const report = page.getByTestId('jobs-table').getByTestId('job-report').filter({ hasText: 'skipped' }).first();
        await report.getByText('1 unreadable source record skipped').click();
        await report.getByText('skipped export.csv:5:BilledCost: "n/a" is not a decimal number').waitFor();
        await shot(page, '16-job-report');
        await api('/billing/data-source/deregister', { data_source_id: ds.data_source_id });
      } finally {
        await focus.shutdown();
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);

    it('signs out: the key is forgotten', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('API key').waitFor();
      expect(await page.evaluate('sessionStorage.length')).toBe(0);
    });

    it('met no script errors on the way', () => {
      expect(pageErrors).toEqual([]);
    });
  });
}
