import { Decimal } from '../../../../../lib/money';
import type { CostLedger, CostRowInput, LedgerWriter, ReplaceTarget } from '../../ports';

interface StoredRow extends CostRowInput {
  dataSourceId: string;
  serviceAccountId: string;
}

/**
 * A CostLedger that records what the sync engine does with it (begin, write, commit, abort), and
 * applies committed windows the way the real ledger must (replace the account's rows inside the
 * windows). It counts writers open at once, overall and per (data source, account).
 */
export class FakeLedger implements CostLedger {
  readonly log: string[] = [];
  readonly targets: ReplaceTarget[] = [];
  rows: StoredRow[] = [];
  gcCalls = 0;
  open = 0;
  maxOpen = 0;
  private readonly openByKey = new Map<string, number>();
  maxOpenPerAccount = 0;
  /** Delay of every write, to keep writers open for a while. */
  writeDelayMs = 0;

  async begin(target: ReplaceTarget): Promise<LedgerWriter> {
    this.targets.push(target);
    this.log.push(`begin ${target.jobId}`);
    const key = `${target.dataSourceId}:${target.serviceAccountId}`;
    this.open++;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    const perKey = (this.openByKey.get(key) ?? 0) + 1;
    this.openByKey.set(key, perKey);
    this.maxOpenPerAccount = Math.max(this.maxOpenPerAccount, perKey);
    const pending: CostRowInput[] = [];
    let ended = false;
    const end = (what: string) => {
      if (ended) throw new Error(`writer of ${target.jobId} already ended`);
      ended = true;
      this.open--;
      this.openByKey.set(key, (this.openByKey.get(key) ?? 1) - 1);
      this.log.push(`${what} ${target.jobId}`);
    };
    return {
      write: async (rows) => {
        if (ended) throw new Error('write after end');
        if (this.writeDelayMs > 0) await new Promise((r) => setTimeout(r, this.writeDelayMs));
        pending.push(...rows);
        this.log.push(`write ${target.jobId} ${rows.length}`);
      },
      commit: async () => {
        end('commit');
        const inside = (d: string) => target.windows.some((w) => d >= w.start && d <= w.end);
        this.rows = this.rows.filter(
          (r) => !(r.dataSourceId === target.dataSourceId && r.serviceAccountId === target.serviceAccountId && inside(r.billed_date)),
        );
        for (const r of pending) this.rows.push({ ...r, dataSourceId: target.dataSourceId, serviceAccountId: target.serviceAccountId });
        return { rows: pending.length };
      },
      abort: async () => end('abort'),
    };
  }

  async removeAccount(): Promise<void> {}
  async removeDataSource(): Promise<void> {}
  async collectGarbage(): Promise<number> {
    this.gcCalls++;
    return 0;
  }

  /** Sum of the stored costs of an account, per currency ("USD 12.5, JPY 3"). */
  total(serviceAccountId: string): string {
    const sums = new Map<string, Decimal>();
    for (const r of this.rows)
      if (r.serviceAccountId === serviceAccountId) sums.set(r.currency, (sums.get(r.currency) ?? Decimal.ZERO).add(Decimal.parse(r.cost)));
    return [...sums].map(([c, d]) => `${c} ${d.toString()}`).sort().join(', ');
  }

  /** What happened to one job: e.g. ['begin', 'write', 'write', 'commit']. */
  stepsOf(jobId: string): string[] {
    return this.log.filter((l) => l.split(' ')[1] === jobId).map((l) => l.split(' ')[0]);
  }
}
