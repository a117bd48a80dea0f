import { Event } from '../../../gen/tally/events/v1/events';
import type { BusMessage } from '../../../lib/events/port';
import { newId } from '../../../lib/ids/ids';
import type { ProjectGroupRecord, ProjectRecord, SecretRecord, ServiceAccountRecord } from '../domain/records';

/** Identity's events go to tally.identity.<resource>.<verb> on the TALLY_IDENTITY stream. */
export const IDENTITY_STREAM = { name: 'TALLY_IDENTITY', subjects: ['tally.identity.>'] };

function message(type: string, domainId: string, at: Date, payload: Event['payload']): BusMessage {
  const id = newId('evt');
  const event: Event = { id, type, domainId, occurredAt: at, payload };
  return { id, subject: `tally.identity.${type}`, data: Event.encode(event).finish() };
}

export type ServiceAccountVerb = 'created' | 'updated' | 'project_changed' | 'deleted';

export function serviceAccountEvent(verb: ServiceAccountVerb, sa: ServiceAccountRecord, at: Date, previousProjectId = ''): BusMessage {
  return message(`service_account.${verb}`, sa.domain_id, at, {
    $case: 'serviceAccount',
    value: {
      serviceAccountId: sa._id,
      name: sa.name,
      provider: sa.provider,
      projectId: sa.project_id,
      previousProjectId,
      secretId: sa.secret_id,
      data: sa.data,
      version: String(sa.version),
    },
  });
}

export function secretEvent(secret: SecretRecord, at: Date): BusMessage {
  return message('secret.updated', secret.domain_id, at, {
    $case: 'secret',
    value: { secretId: secret._id, serviceAccountId: secret.service_account_id, provider: secret.provider },
  });
}

export function projectEvent(verb: 'created' | 'updated' | 'deleted', p: ProjectRecord, at: Date): BusMessage {
  return message(`project.${verb}`, p.domain_id, at, {
    $case: 'project',
    value: { projectId: p._id, name: p.name, projectGroupId: p.project_group_id },
  });
}

export function projectGroupEvent(verb: 'created' | 'updated' | 'deleted', g: ProjectGroupRecord, at: Date): BusMessage {
  return message(`project_group.${verb}`, g.domain_id, at, {
    $case: 'projectGroup',
    value: { projectGroupId: g._id, name: g.name, parentGroupId: g.parent_group_id },
  });
}

export function domainEvent(verb: 'created' | 'deleted', domainId: string, name: string, at: Date): BusMessage {
  return message(`domain.${verb}`, domainId, at, { $case: 'domain', value: { domainId, name, state: verb === 'deleted' ? 'DELETED' : 'ENABLED' } });
}
