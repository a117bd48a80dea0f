import type { CostRow } from '../types';
import { metadataProblem } from './check-metadata';
import { rowProblem, windowsByAccount, type RowRules } from './check-rows';
import { tasksProblem } from './check-tasks';

const good: CostRow = {
  billedDate: '2024-05-02',
  externalAccountId: 'acct-1',
  provider: 'demo',
  product: 'Compute',
  region: 'us-east-1',
  usageType: 'vm',
  resourceId: '',
  usageQuantity: '24.000',
  usageUnit: 'Hrs',
  cost: '2.304000',
  currency: 'USD',
  tags: { env: 'prod' },
  additionalInfo: {},
};

const rules: RowRules = {
  task: { start: '2024-05-01', end: '2024-05-31' },
  range: { start: '2024-05-02', end: '2024-06-10' },
  providers: new Set(['demo']),
  windows: windowsByAccount([{ externalAccountId: 'acct-1', startDate: '2024-05-02', endDate: '2024-06-10' }]),
};

describe('rowProblem', () => {
  it('accepts a well-formed row', () => {
    expect(rowProblem(good, rules)).toBeUndefined();
    expect(rowProblem({ ...good, cost: '-0.0000008', usageQuantity: '0' }, rules)).toBeUndefined();
  });

  it.each<[Partial<CostRow>, RegExp]>([
    [{ billedDate: '2024-5-02' }, /billed_date "2024-5-02" is not a date/],
    [{ billedDate: '2024-02-30' }, /not a date/],
    [{ billedDate: '2024-06-01' }, /outside the task's 2024-05-01\.\.2024-05-31/],
    [{ billedDate: '2024-05-01' }, /outside the requested 2024-05-02\.\.2024-06-10/],
    [{ cost: '1e-7' }, /^cost: "1e-7" uses exponent notation/],
    [{ cost: 'NaN' }, /^cost: "NaN" is not a plain decimal number/],
    [{ cost: '1.0.0' }, /^cost: "1\.0\.0" is not a plain decimal number/],
    [{ cost: '' }, /^cost is empty/],
    [{ usageQuantity: '' }, /^usage_quantity is empty/],
    [{ usageQuantity: '1,5' }, /^usage_quantity: .* not a plain decimal/],
    [{ currency: '' }, /currency "" is not an ISO 4217 code/],
    [{ currency: 'usd' }, /currency "usd"/],
    [{ product: '' }, /product is empty/],
    [{ provider: '' }, /provider is empty/],
    [{ provider: 'aws' }, /provider "aws" is not among Init's providers \(demo\)/],
    [{ externalAccountId: '' }, /external_account_id is empty/],
    [{ tags: { env: 'prod', '': 'x' } }, /tags has an empty key/],
    [{ externalAccountId: 'acct-2' }, /no replace window of GetTasks covers account "acct-2" on 2024-05-02/],
  ])('refuses %j', (change, message) => {
    expect(rowProblem({ ...good, ...change }, rules)).toMatch(message);
  });
});

describe('metadataProblem', () => {
  const meta = { name: 'p', version: '1', providers: ['demo'], currency: 'USD', credentialSchema: {}, optionsSchema: {}, pageSize: 1000 };
  it('accepts well-formed metadata', () => expect(metadataProblem(meta)).toBeUndefined());
  it.each<[object, RegExp]>([
    [{ providers: [] }, /providers is empty/],
    [{ providers: ['Hyper Billing'] }, /providers has "Hyper Billing"/],
    [{ currency: 'XXX' }, /currency "XXX" is not an ISO 4217 code/],
    [{ pageSize: 0 }, /page_size 0 is not in 1\.\.10000/],
    [{ pageSize: 10_001 }, /page_size 10001/],
    [{ credentialSchema: undefined }, /credential_schema is missing/],
    [{ optionsSchema: undefined }, /options_schema is missing/],
  ])('refuses %j', (change, message) => expect(metadataProblem({ ...meta, ...change })).toMatch(message));
  it('refuses a missing metadata', () => expect(metadataProblem(undefined)).toMatch(/without metadata/));
});

describe('tasksProblem', () => {
  const range = { start: '2024-05-01', end: '2024-06-30' };
  const task = { taskId: 'a', startDate: '2024-05-01', endDate: '2024-05-31' };
  const windows = [{ externalAccountId: 'acct', startDate: '2024-05-01', endDate: '2024-06-30' }];
  it('accepts tasks and windows inside the range', () => {
    expect(tasksProblem({ tasks: [task, { ...task, taskId: 'b', startDate: '2024-06-01', endDate: '2024-06-30' }], windows }, range)).toBeUndefined();
  });
  it.each<[object, RegExp]>([
    [{ tasks: [] }, /no task for 2024-05-01\.\.2024-06-30/],
    [{ tasks: [task, task] }, /tasks\[1\] "a": task_id repeats/],
    [{ tasks: [{ ...task, taskId: '' }] }, /tasks\[0\]\.task_id is empty/],
    [{ tasks: [{ ...task, endDate: '2024-07-01' }] }, /2024-05-01\.\.2024-07-01 is not inside the requested/],
    [{ tasks: [{ ...task, startDate: '2024-05-31', endDate: '2024-05-01' }] }, /start_date 2024-05-31 is after end_date 2024-05-01/],
    [{ tasks: [{ ...task, startDate: '05/01/2024' }] }, /start_date "05\/01\/2024" is not a date/],
    [{ windows: [] }, /no replace windows/],
    [{ windows: [{ ...windows[0], externalAccountId: '' }] }, /windows\[0\]\.external_account_id is empty/],
    [{ windows: [{ ...windows[0], startDate: '2024-04-30' }] }, /windows\[0\] \(acct\): 2024-04-30\.\.2024-06-30 is not inside/],
  ])('refuses %j', (change, message) => expect(tasksProblem({ tasks: [task], windows, ...change }, range)).toMatch(message));
});
