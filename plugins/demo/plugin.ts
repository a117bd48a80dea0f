import { monthsInRange, type PluginImpl } from '../sdk';
import { checkCredentials, DEMO_CREDENTIAL_SCHEMA } from './credentials';
import { DEMO_OPTIONS_SCHEMA, parseDemoOptions } from './options';
import { demoRows, DEMO_PROVIDER, linkedAccounts } from './rows';

export const DEMO_VERSION = '1.0.0';

/**
 * The demo data source: deterministic synthetic daily costs for the quick start and the
 * benchmarks. Tasks are calendar months; the windows replace each linked account over the
 * whole range. Rows are generated lazily, so a task may stream tens of millions of them.
 */
export function demoPlugin(): PluginImpl {
  return {
    init(req) {
      const o = parseDemoOptions(req.options);
      return {
        name: 'demo',
        version: DEMO_VERSION,
        providers: [DEMO_PROVIDER],
        currency: 'USD',
        credentialSchema: DEMO_CREDENTIAL_SCHEMA,
        optionsSchema: DEMO_OPTIONS_SCHEMA,
        pageSize: o.pageSize,
      };
    },

    verify(req) {
      parseDemoOptions(req.options);
      checkCredentials(req.secretData, req.account);
    },

    getTasks(req) {
      const o = parseDemoOptions(req.options);
      const base = checkCredentials(req.secretData, req.account);
      const range = { start: req.startDate, end: req.endDate };
      return {
        tasks: monthsInRange(range).map((m) => ({ taskId: `${base}:${m.start}..${m.end}`, startDate: m.start, endDate: m.end })),
        windows: linkedAccounts(base, o.accounts).map((id) => ({ externalAccountId: id, startDate: range.start, endDate: range.end })),
      };
    },

    getCostData(req) {
      const o = parseDemoOptions(req.options);
      const base = checkCredentials(req.secretData, req.account);
      const task = req.task!;
      return demoRows({ seed: o.seed, accounts: linkedAccounts(base, o.accounts), rowsPerDay: o.rowsPerDay, range: { start: task.startDate, end: task.endDate } });
    },
  };
}
