import { demoPlugin } from '../demo/plugin';
import { addDays, type CostRow, type CostRowInput, type PluginImpl } from '../sdk';

/**
 * Plugins broken on purpose, one fault each, to prove the conformance kit can fail. Each is the
 * demo plugin with one thing wrong; the kit must name the check that catches it.
 */
export type BrokenKind = 'dates-outside-range' | 'exponent-amounts' | 'missing-currency' | 'crash-mid-stream' | 'bad-credentials-crash';

/** Rows pass through `fault`, which may change the n-th row (0-based, across the task). */
function withRowFault(fault: (row: CostRow, n: number, task: { startDate: string; endDate: string }) => CostRowInput): PluginImpl {
  const demo = demoPlugin();
  return {
    ...demo,
    *getCostData(req, ctx) {
      let n = 0;
      for (const row of demo.getCostData(req, ctx) as Iterable<CostRow>) yield fault(row, n++, req.task!);
    },
  };
}

export function brokenPlugin(kind: BrokenKind): PluginImpl {
  switch (kind) {
    case 'dates-outside-range':
      // An off-by-one: the last day's rows are dated the day after the task ends.
      return withRowFault((row, _n, task) => (row.billedDate === task.endDate ? { ...row, billedDate: addDays(task.endDate, 1) } : row));
    case 'exponent-amounts':
      // Amounts printed from floats: 0.0000001 becomes "1e-7".
      return withRowFault((row, n) => (n === 7 ? { ...row, cost: String(0.0000001) } : row));
    case 'missing-currency':
      return withRowFault((row, n) => (n >= 3 ? { ...row, currency: '' } : row));
    case 'crash-mid-stream': {
      // Sends a few pages, then a bug throws: the stream ends with INTERNAL.
      const demo = demoPlugin();
      return {
        ...demo,
        init: async (req, ctx) => ({ ...(await demo.init(req, ctx)), pageSize: 10 }),
        *getCostData(req, ctx) {
          let n = 0;
          for (const row of demo.getCostData(req, ctx) as Iterable<CostRow>) {
            if (n++ === 25) throw new TypeError("Cannot read properties of undefined (reading 'amount')");
            yield row;
          }
        },
      };
    }
    case 'bad-credentials-crash': {
      // Verify dereferences a field only good credentials have: bad ones crash into INTERNAL.
      const demo = demoPlugin();
      return {
        ...demo,
        verify(req, ctx) {
          const profile = (req.secretData?.api_key === 'bad' ? undefined : { tenant: 't' }) as { tenant: string };
          if (!profile.tenant) throw new Error('unreachable');
          return demo.verify(req, ctx);
        },
      };
    }
  }
}
