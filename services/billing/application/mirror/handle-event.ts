import type { Event, ServiceAccountEvent } from '../../../../gen/tally/events/v1/events';
import { DomainError } from '../../../../lib/errors/domain-error';
import type { BillingDeps, IdentityAccount } from '../ports';
import { accountsIn, applyAccountState, removeAccountState } from './account-mirror';
import { applyOnce, type ApplyOutcome } from './apply-once';
import { utcDate } from './dates';
import { ensureDomainBilling } from './domain-billing';
import type { MirrorEffect } from './effects';
import { applyGroupState, applyProjectState, removeGroupState, removeProjectState } from './project-mirror';

export type MirrorDeps = Pick<BillingDeps, 'store' | 'sync' | 'ledger' | 'logger' | 'hyperbillingEndpoint' | 'now'>;

/** 'ignored': an event type the mirror does not follow (domain.deleted, say); acknowledged as is. */
export type IdentityEventOutcome = ApplyOutcome | 'ignored';

/** An event that can never be applied (missing id or domain, payload of another kind); it ends on the dead-letter subject. */
export class MalformedEventError extends DomainError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', 'EVENT.MALFORMED', message);
    this.name = 'MalformedEventError';
  }
}

const toAccount = (sa: ServiceAccountEvent): IdentityAccount => ({
  serviceAccountId: sa.serviceAccountId,
  name: sa.name,
  provider: sa.provider,
  projectId: sa.projectId,
  secretId: sa.secretId,
  data: sa.data ?? {},
  version: Number(sa.version ?? 0) || 0,
});

type Payload = NonNullable<Event['payload']>;
type PayloadOf<C extends Payload['$case']> = Extract<Payload, { $case: C }>['value'];

function payloadOf<C extends Payload['$case']>(event: Event, kind: C, idOf: (v: PayloadOf<C>) => string): PayloadOf<C> {
  if (event.payload?.$case !== kind) throw new MalformedEventError(`event ${event.id} (${event.type}) has no ${kind} payload`);
  const value = event.payload.value as PayloadOf<C>;
  if (!idOf(value)) throw new MalformedEventError(`event ${event.id} (${event.type}) names no ${kind} id`);
  return value;
}

/**
 * Applies one of identity's events to the mirror, at most once per event id (see applyOnce):
 * domain.created, service_account.created|updated|project_changed|deleted, secret.updated,
 * project.* and project_group.*. Service account events older than the mirror's version are
 * ignored; a deleted resource never comes back. Throws when the event is malformed or the change
 * fails, so the bus redelivers it (and dead-letters it in the end).
 */
export async function handleIdentityEvent(deps: MirrorDeps, event: Event): Promise<IdentityEventOutcome> {
  if (!event.id) throw new MalformedEventError(`event of type ${JSON.stringify(event.type)} has no id`);
  if (!event.domainId) throw new MalformedEventError(`event ${event.id} (${event.type}) has no domain_id`);
  const domainId = event.domainId;
  const now = deps.now();
  const date = utcDate(event.occurredAt && !Number.isNaN(event.occurredAt.getTime()) ? event.occurredAt : now);
  const once = (change: Parameters<typeof applyOnce>[2]) => applyOnce(deps, { id: event.id, type: event.type, domainId }, change);

  switch (event.type) {
    case 'domain.created':
      return once(async (tx) => (await ensureDomainBilling(tx, deps, domainId)).effects);

    case 'service_account.created':
    case 'service_account.updated':
    case 'service_account.project_changed': {
      const state = toAccount(payloadOf(event, 'serviceAccount', (v) => v.serviceAccountId));
      return once((tx) => applyAccountState(tx, domainId, state, { date, now, mode: 'event' }));
    }
    case 'service_account.deleted': {
      const state = toAccount(payloadOf(event, 'serviceAccount', (v) => v.serviceAccountId));
      return once((tx) => removeAccountState(tx, domainId, state.serviceAccountId, state.version, now));
    }
    case 'secret.updated': {
      const secret = payloadOf(event, 'secret', (v) => v.serviceAccountId);
      return once(async (tx): Promise<MirrorEffect[]> => {
        const account = await accountsIn(tx).findOne({ _id: secret.serviceAccountId, domain_id: domainId });
        if (!account) return [];
        if (secret.secretId && secret.secretId !== account.secret_id) {
          await accountsIn(tx).updateOne({ _id: account._id }, { $set: { secret_id: secret.secretId, updated_at: now } });
        }
        return [{ kind: 'accountChanged', domainId, serviceAccountId: account._id }];
      });
    }
    case 'project.created':
    case 'project.updated': {
      const p = payloadOf(event, 'project', (v) => v.projectId);
      return once(async (tx) => (await applyProjectState(tx, domainId, p, now), []));
    }
    case 'project.deleted': {
      const p = payloadOf(event, 'project', (v) => v.projectId);
      return once(async (tx) => (await removeProjectState(tx, domainId, p.projectId, now), []));
    }
    case 'project_group.created':
    case 'project_group.updated': {
      const g = payloadOf(event, 'projectGroup', (v) => v.projectGroupId);
      return once(async (tx) => (await applyGroupState(tx, domainId, g, now), []));
    }
    case 'project_group.deleted': {
      const g = payloadOf(event, 'projectGroup', (v) => v.projectGroupId);
      return once(async (tx) => (await removeGroupState(tx, domainId, g.projectGroupId, now), []));
    }
    default:
      deps.logger.debug({ event_id: event.id, type: event.type }, 'identity event not followed by billing; acknowledged');
      return 'ignored';
  }
}
