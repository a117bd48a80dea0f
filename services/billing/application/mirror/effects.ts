import { retireDataSource } from '../data-sources/deregister';
import type { BillingDeps } from '../ports';

/**
 * What must happen outside the store once a mirror change has committed: starting syncs,
 * removing costs. They are recorded with the change (in its processed_events record), run after
 * the commit, and run again when they failed (on redelivery, or by reconciliation), so each must
 * be safe to repeat.
 */
export type MirrorEffect =
  | { kind: 'accountChanged'; domainId: string; serviceAccountId: string }
  | { kind: 'removeAccount'; domainId: string; serviceAccountId: string }
  /** The data source's jobs cancelled, its costs removed, its record deleted. */
  | { kind: 'retireDataSource'; domainId: string; dataSourceId: string };

export type EffectDeps = Pick<BillingDeps, 'store' | 'sync' | 'ledger' | 'logger'>;

export async function runEffect(deps: EffectDeps, e: MirrorEffect): Promise<void> {
  switch (e.kind) {
    case 'accountChanged':
      return deps.sync.accountChanged(e.domainId, e.serviceAccountId);
    case 'removeAccount':
      return deps.ledger.removeAccount(e.domainId, e.serviceAccountId);
    case 'retireDataSource':
      return retireDataSource(deps, e.domainId, e.dataSourceId);
  }
}

/** Runs the effects in order; the first failure stops and rejects (the rest run on retry). */
export async function runEffects(deps: EffectDeps, effects: readonly MirrorEffect[]): Promise<void> {
  for (const e of effects) await runEffect(deps, e);
}

/** Drops repeats (the same effect twice in one change). */
export function uniqueEffects(effects: readonly MirrorEffect[]): MirrorEffect[] {
  const seen = new Set<string>();
  return effects.filter((e) => {
    const key = JSON.stringify(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
