import { createHash } from 'node:crypto';
import { Decimal } from '../../lib/money';
import type { FakeAccount } from './accounts';
import { daysOfMonth } from './calendar';
import { USD_RATES, catalogFor } from './catalog';

/** Amounts are kept to this many fractional digits, as the real API's answers are. */
export const AMOUNT_SCALE = 6;

/** One cost record: what was used, the credit applied (zero or negative), and the final cost. */
export interface CostAmounts {
  cost: Decimal;
  /** Zero or negative; final = cost + credit. */
  credit: Decimal;
  final: Decimal;
  costUsd: Decimal;
  creditUsd: Decimal;
  finalUsd: Decimal;
  currency: string;
}

export interface DailyCost {
  date: string;
  invoiceMonth: string;
  service: string;
  region: string;
  amounts: CostAmounts;
}

/** 60 deterministic bits from the seed and the parts. */
function hash(parts: string[]): bigint {
  return BigInt(`0x${createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 15)}`);
}

export function amountsOf(costUnits: bigint, creditUnits: bigint, currency: string): CostAmounts {
  const rate = Decimal.parse(USD_RATES[currency].usdPerUnit);
  const cost = Decimal.of(costUnits, AMOUNT_SCALE);
  const credit = Decimal.of(creditUnits, AMOUNT_SCALE);
  const final = cost.add(credit);
  const usd = (d: Decimal) => (currency === 'USD' ? d : d.multiply(rate, AMOUNT_SCALE));
  return { cost, credit, final, costUsd: usd(cost), creditUsd: usd(credit), finalUsd: usd(final), currency };
}

/** Sums amounts of one currency (USD equivalents summed as given, as an invoice would). */
export function addAmounts(a: CostAmounts, b: CostAmounts): CostAmounts {
  return {
    cost: a.cost.add(b.cost),
    credit: a.credit.add(b.credit),
    final: a.final.add(b.final),
    costUsd: a.costUsd.add(b.costUsd),
    creditUsd: a.creditUsd.add(b.creditUsd),
    finalUsd: a.finalUsd.add(b.finalUsd),
    currency: a.currency,
  };
}

/**
 * Deterministic synthetic costs: the same seed, account and day always give the same records.
 * Not every service runs in every region every day; about one record in ten carries a credit of
 * a quarter of its cost. Days after `today` have no cost yet.
 */
export class CostModel {
  constructor(
    private readonly seed: string,
    private readonly today: () => string,
  ) {}

  /** Daily records of the account for a YYYYMM month, by date, then service, then region. */
  daily(account: FakeAccount, month: string): DailyCost[] {
    const today = this.today();
    const factor = USD_RATES[account.currency].perUsd;
    const out: DailyCost[] = [];
    for (const date of daysOfMonth(month)) {
      if (date > today) break;
      for (const svc of catalogFor(account.platform)) {
        for (const region of svc.regions) {
          const h = hash([this.seed, account.account_id, date, svc.name, region]);
          if (h % 8n === 0n) continue;
          const spread = 50n + ((h >> 4n) % 100n);
          const cents = (h >> 12n) % 1_000000n;
          const costUnits = ((svc.dailyMicros * spread) / 100n + cents) * factor;
          const creditUnits = (h >> 40n) % 10n === 0n ? -(costUnits / 4n) : 0n;
          out.push({ date, invoiceMonth: month, service: svc.name, region, amounts: amountsOf(costUnits, creditUnits, account.currency) });
        }
      }
    }
    return out;
  }

  /** The account's final cost for a month: the exact sum of its daily records. */
  monthTotal(account: FakeAccount, month: string): Decimal {
    return this.daily(account, month).reduce((sum, r) => sum.add(r.amounts.final), Decimal.ZERO);
  }
}
