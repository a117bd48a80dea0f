import { Granularity } from '../../../../gen/tally/billing/v1/cost';
import { parseAnalyzeRequest } from './analyze-request';
import { needsOf, planQuery } from './query-plan';
import { request } from './testing/analyze-fixtures';

function plan(over: Parameters<typeof request>[0], scoped = false) {
  const spec = parseAnalyzeRequest(request(over));
  return planQuery(spec, needsOf(spec, scoped));
}

describe('analyze: the planner', () => {
  it('picks the coarsest rollup family that holds what the request reads', () => {
    expect(plan({ groupBy: ['project_id'] })).toMatchObject({ source: 'rollup', family: 'provider', keys: ['service_account_id'] });
    expect(plan({ groupBy: ['provider'] })).toMatchObject({ family: 'provider', keys: ['provider'] });
    expect(plan({ groupBy: ['product'], filter: [{ k: 'project_id', v: 'p', o: 'eq' }] })).toMatchObject({ family: 'product', keys: ['product', 'service_account_id'] });
    expect(plan({ groupBy: ['product'], filter: [{ k: 'region', v: 'r', o: 'eq' }] })).toMatchObject({ family: 'fine', keys: ['product', 'region'] });
    expect(plan({ groupBy: ['tags.env', 'provider'] }, true)).toMatchObject({ family: 'tag', tagKey: 'env', keys: ['provider', 'service_account_id', 'tag_value'] });
    expect(plan({ groupBy: ['tags.env'], filter: [{ k: 'tags.team', v: 'x', o: 'eq' }] })).toMatchObject({ source: 'raw' });
    expect(plan({ groupBy: ['tags.env', 'product'] })).toMatchObject({ source: 'raw' });
    expect(plan({ filter: [{ k: 'tags', v: true, o: 'exists' }] })).toMatchObject({ source: 'raw' });
  });

  it('reads whole months at the month grain and the partial ends at the day grain', () => {
    expect(plan({ start: '2024-01-01', end: '2024-12-31' }).pieces).toEqual([{ grain: 'month', from: '2024-01', to: '2024-12' }]);
    expect(plan({ start: '2024-01-15', end: '2024-04-10' }).pieces).toEqual([
      { grain: 'day', from: '2024-01-15', to: '2024-01-31' },
      { grain: 'month', from: '2024-02', to: '2024-03' },
      { grain: 'day', from: '2024-04-01', to: '2024-04-10' },
    ]);
    expect(plan({ start: '2024-05-03', end: '2024-05-09', granularity: Granularity.GRANULARITY_YEARLY }).pieces).toEqual([{ grain: 'day', from: '2024-05-03', to: '2024-05-09' }]);
    expect(plan({ start: '2024-01-01', end: '2024-03-31', granularity: Granularity.GRANULARITY_DAILY }).pieces).toEqual([{ grain: 'day', from: '2024-01-01', to: '2024-03-31' }]);
  });
});
