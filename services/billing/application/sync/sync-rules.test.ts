import type { DomainError } from '../../../../lib/errors/domain-error';
import type { CostRow } from './plugin-port';
import { validateRow, type RowRules } from './row-validation';
import { firstSyncWindow, recentWindow } from './sync-windows';

describe('sync windows', () => {
  test('a first sync covers first_sync_months whole months before this one, plus this month to date', () => {
    expect(firstSyncWindow('2024-06-15', 12)).toEqual({ start: '2023-06-01', end: '2024-06-15' });
    expect(firstSyncWindow('2024-01-31', 3)).toEqual({ start: '2023-10-01', end: '2024-01-31' });
  });

  test('the recent window is month to date, or from last month while today is within the first recentWindowDays days', () => {
    expect(recentWindow('2024-06-15', 5)).toEqual({ start: '2024-06-01', end: '2024-06-15' });
    expect(recentWindow('2024-06-06', 5)).toEqual({ start: '2024-06-01', end: '2024-06-06' });
    expect(recentWindow('2024-06-05', 5)).toEqual({ start: '2024-05-01', end: '2024-06-05' });
    expect(recentWindow('2024-01-02', 5)).toEqual({ start: '2023-12-01', end: '2024-01-02' });
    expect(recentWindow('2024-06-10', 10)).toEqual({ start: '2024-05-01', end: '2024-06-10' });
    expect(recentWindow('2024-06-01', 0)).toEqual({ start: '2024-06-01', end: '2024-06-01' });
  });

  test('after a stretch without a successful sync the recent window reaches back to it, never beyond the first-sync depth', () => {
    expect(recentWindow('2024-06-15', 5, '2024-03-20T08:00:00.000Z')).toEqual({ start: '2024-03-01', end: '2024-06-15' });
    expect(recentWindow('2024-06-15', 5, '2020-01-01T00:00:00.000Z', 12)).toEqual({ start: '2023-06-01', end: '2024-06-15' });
    expect(recentWindow('2024-06-15', 5, '2024-06-14T00:00:00.000Z')).toEqual({ start: '2024-06-01', end: '2024-06-15' });
  });
});

describe('row validation', () => {
  const rules: RowRules = {
    taskId: 'june',
    task: { start: '2024-06-01', end: '2024-06-30' },
    job: { start: '2024-05-01', end: '2024-06-15' },
    replaced: [{ start: '2024-05-01', end: '2024-06-15' }],
    externalAccountId: '123456789012',
    provider: 'aws',
    currency: 'USD',
  };
  const row: CostRow = {
    billedDate: '2024-06-03',
    externalAccountId: '123456789012',
    provider: 'aws',
    product: 'EC2',
    region: 'us-east-1',
    usageType: 'BoxUsage',
    resourceId: '',
    usageQuantity: '24.000',
    usageUnit: 'Hrs',
    cost: '0.0000008',
    currency: '',
    tags: { env: 'prod' },
    additionalInfo: {},
  };
  const fails = (over: Partial<CostRow>, n = 7): DomainError => {
    try {
      validateRow({ ...row, ...over }, n, rules);
    } catch (err) {
      return err as DomainError;
    }
    throw new Error('the row was accepted');
  };

  test('a good row comes out in canonical form with the default currency', () => {
    expect(validateRow(row, 1, rules)).toEqual({
      billed_date: '2024-06-03',
      provider: 'aws',
      product: 'EC2',
      region: 'us-east-1',
      usage_type: 'BoxUsage',
      resource_id: '',
      usage_quantity: '24',
      usage_unit: 'Hrs',
      cost: '0.0000008',
      currency: 'USD',
      tags: { env: 'prod' },
      additional_info: {},
    });
    expect(validateRow({ ...row, cost: '-1.50', usageQuantity: '', provider: '', currency: 'EUR' }, 1, rules)).toMatchObject({
      cost: '-1.5',
      usage_quantity: '0',
      provider: 'aws',
      currency: 'EUR',
    });
  });

  test.each([
    [{ cost: '1e-7' }, 'cost', 'row 7 of task "june": cost "1e-7" uses exponent notation; write it in plain decimal notation (e.g. 0.0000001 for 1e-7); fix the plugin or the source data'],
    [{ cost: '' }, 'cost', 'row 7 of task "june": cost is empty; fix the plugin or the source data'],
    [{ usageQuantity: '1,5' }, 'usage_quantity', 'usage_quantity "1,5" is not a plain decimal number'],
    [{ billedDate: '2024-06-31' }, 'billed_date', 'billed_date "2024-06-31" is not a date YYYY-MM-DD'],
    [{ billedDate: '2024-05-31' }, 'billed_date', "billed_date 2024-05-31 is outside the task's range 2024-06-01..2024-06-30"],
    [{ billedDate: '2024-06-20' }, 'billed_date', "billed_date 2024-06-20 is outside the job's window 2024-05-01..2024-06-15"],
    [{ externalAccountId: '999' }, 'external_account_id', 'external_account_id "999" is not this service account\'s ("123456789012")'],
    [{ provider: 'azure' }, 'provider', 'provider "azure" is not this service account\'s provider ("aws")'],
    [{ product: '  ' }, 'product', 'product is empty'],
    [{ currency: 'usd' }, 'currency', 'currency "usd" is not an ISO 4217 code such as USD'],
  ] as const)('%j is rejected at %s', (over, field, message) => {
    const err = fails(over);
    expect(err).toMatchObject({ kind: 'INVALID_ARGUMENT', reason: 'PLUGIN.MALFORMED_ROW', field });
    expect(err.message).toContain(message);
  });

  test('a row outside every window the plugin replaces is rejected (a re-sync could never replace it)', () => {
    const err = (() => {
      try {
        validateRow(row, 2, { ...rules, replaced: [{ start: '2024-06-05', end: '2024-06-15' }] });
      } catch (e) {
        return e as DomainError;
      }
    })();
    expect(err?.message).toContain('billed_date 2024-06-03 is outside the windows the plugin said it replaces (2024-06-05..2024-06-15)');
  });
});
