import { Granularity } from '../../../../gen/tally/billing/v1/cost';
import { ledgerStore, row, sync } from '../ledger/testing/ledger-fixtures';
import { analyze } from './analyze';
import { addRate, admin, request, setSettings } from './testing/analyze-fixtures';

async function world() {
  const { store, ledger } = await ledgerStore();
  await setSettings(store, 'domain-1', { currency: 'USD' });
  const rows = [
    row('2024-01-10', '100'), // USD
    row('2024-01-15', '10', { currency: 'EUR' }),
    row('2024-02-10', '10', { currency: 'EUR' }),
    row('2024-02-20', '10', { currency: 'EUR' }),
    row('2024-02-25', '1000', { currency: 'JPY' }),
    row('2024-03-05', '10', { currency: 'GBP' }),
  ];
  await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-01-01', end: '2024-03-31' }], rows });
  return store;
}

describe('analyze: currencies', () => {
  it('converts with the rate of each day, inverting a pair stored the other way, and reports what has no rate', async () => {
    const store = await world();
    await addRate(store, 'EUR', 'USD', '1.1', '2024-01-01');
    await addRate(store, 'EUR', 'USD', '1.2', '2024-02-15'); // changes mid-month
    await addRate(store, 'USD', 'JPY', '150', '2024-01-01'); // only the inverse pair exists
    const res = await analyze({ store }, admin(), request({ start: '2024-01-01', end: '2024-03-31' }));
    expect(res.currency).toBe('USD');
    // 100 + 11 | 11 + 12 + 1000/150 | GBP has no rate
    expect(res.periods).toEqual(['2024-01', '2024-02', '2024-03']);
    expect(res.results[0].series.map((p) => p.cost)).toEqual(['111', '29.666666666666666667', '0']);
    expect(res.total).toBe('140.666666666666666667');
    expect(res.missingRates).toEqual([{ currency: 'GBP', firstDate: '2024-03-05', lastDate: '2024-03-05', amount: '10' }]);
  });

  it('answers in the requested currency and reports every currency without a rate', async () => {
    const store = await world();
    await addRate(store, 'USD', 'EUR', '0.5', '2023-12-01');
    const res = await analyze({ store }, admin(), request({ granularity: Granularity.GRANULARITY_ACCUMULATED, start: '2024-01-01', end: '2024-03-31', currency: 'EUR' }));
    expect(res.currency).toBe('EUR');
    expect(res.periods).toEqual(['2024-01-01/2024-03-31']);
    expect(res.total).toBe('80'); // 100 USD at 0.5 + 30 EUR
    expect(res.missingRates).toEqual([
      { currency: 'GBP', firstDate: '2024-03-05', lastDate: '2024-03-05', amount: '10' },
      { currency: 'JPY', firstDate: '2024-02-25', lastDate: '2024-02-25', amount: '1000' },
    ]);
  });

  it('uses the domain currency by default', async () => {
    const { store, ledger } = await ledgerStore();
    await setSettings(store, 'domain-1', { currency: 'EUR' });
    await sync(ledger, { serviceAccountId: 'sa-1', windows: [{ start: '2024-01-01', end: '2024-01-31' }], rows: [row('2024-01-02', '3', { currency: 'EUR' }), row('2024-01-03', '4')] });
    const res = await analyze({ store }, admin(), request({ start: '2024-01-01', end: '2024-01-31' }));
    expect(res.currency).toBe('EUR');
    expect(res.total).toBe('3');
    expect(res.missingRates).toEqual([{ currency: 'USD', firstDate: '2024-01-03', lastDate: '2024-01-03', amount: '4' }]);
  });
});
