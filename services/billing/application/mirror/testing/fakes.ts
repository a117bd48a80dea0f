/**
 * Test doubles for the mirror's seams: a SyncPort and a CostLedger that record their calls (and
 * can be made to fail), an IdentityPort over in-memory lists, and deps on the embedded store.
 */
import { Event } from '../../../../../gen/tally/events/v1/events';
import type { BusMessage } from '../../../../../lib/events/port';
import { createMemoryLogger } from '../../../../../lib/log/logger';
import { createEmbeddedStore } from '../../../../../lib/store/embedded';
import type { BillingDeps, CostLedger, IdentityAccount, IdentityPort, SyncPort } from '../../ports';
import { MIRROR_INDEXES } from '../mirror-collections';

export interface RecordingSync extends SyncPort {
  changed: string[];
  /** The next n accountChanged calls fail. */
  failNext(n?: number): void;
}

export function recordingSync(): RecordingSync {
  let failures = 0;
  const sync: RecordingSync = {
    changed: [],
    async requestSync() {
      return [];
    },
    async accountChanged(domainId, serviceAccountId) {
      if (failures > 0) {
        failures--;
        throw new Error('sync engine unavailable (injected)');
      }
      sync.changed.push(`${domainId}/${serviceAccountId}`);
    },
    async cancel() {},
    failNext(n = 1) {
      failures = n;
    },
  };
  return sync;
}

export interface RecordingLedger extends CostLedger {
  removedAccounts: string[];
  removedDataSources: string[];
  failNext(n?: number): void;
}

export function recordingLedger(): RecordingLedger {
  let failures = 0;
  const fail = () => {
    if (failures > 0) {
      failures--;
      throw new Error('ledger unavailable (injected)');
    }
  };
  const ledger: RecordingLedger = {
    removedAccounts: [],
    removedDataSources: [],
    async begin() {
      throw new Error('not used by the mirror');
    },
    async removeAccount(domainId, serviceAccountId) {
      fail();
      ledger.removedAccounts.push(`${domainId}/${serviceAccountId}`);
    },
    async removeDataSource(domainId, dataSourceId) {
      fail();
      ledger.removedDataSources.push(`${domainId}/${dataSourceId}`);
    },
    async collectGarbage() {
      return 0;
    },
    failNext(n = 1) {
      failures = n;
    },
  };
  return ledger;
}

export interface FakeIdentity extends IdentityPort {
  domains: { domainId: string; name: string }[];
  accounts: Map<string, IdentityAccount[]>;
  projects: Map<string, { projectId: string; name: string; projectGroupId: string }[]>;
  groups: Map<string, { projectGroupId: string; name: string; parentGroupId: string }[]>;
}

export function fakeIdentity(): FakeIdentity {
  const id: FakeIdentity = {
    domains: [],
    accounts: new Map(),
    projects: new Map(),
    groups: new Map(),
    async getSecretData() {
      return {};
    },
    async listDomains() {
      return id.domains.map((d) => ({ ...d }));
    },
    async listServiceAccounts(domainId) {
      return (id.accounts.get(domainId) ?? []).map((a) => ({ ...a }));
    },
    async listProjects(domainId) {
      return (id.projects.get(domainId) ?? []).map((p) => ({ ...p }));
    },
    async listProjectGroups(domainId) {
      return (id.groups.get(domainId) ?? []).map((g) => ({ ...g }));
    },
    async verify() {
      return null;
    },
  };
  return id;
}

export interface TestMirror {
  deps: BillingDeps;
  sync: RecordingSync;
  ledger: RecordingLedger;
  identity: FakeIdentity;
  /** Moves the clock. */
  setNow(iso: string): void;
  lines: string[];
}

export async function testMirror(options: { hyperbillingEndpoint?: string; now?: string } = {}): Promise<TestMirror> {
  const store = await createEmbeddedStore();
  for (const [name, indexes] of Object.entries(MIRROR_INDEXES)) await store.ensureIndexes(name, indexes);
  const { logger, lines } = createMemoryLogger('billing-test', 'debug');
  let now = new Date(options.now ?? '2025-03-10T12:00:00Z');
  const sync = recordingSync();
  const ledger = recordingLedger();
  const identity = fakeIdentity();
  const deps: BillingDeps = {
    store,
    logger,
    ledger,
    identity,
    sync,
    hyperbillingEndpoint: options.hyperbillingEndpoint ?? '',
    now: () => now,
  };
  return {
    deps,
    sync,
    ledger,
    identity,
    lines,
    setNow(iso) {
      now = new Date(iso);
    },
  };
}

let seq = 0;

export interface AccountFields {
  domainId?: string;
  serviceAccountId: string;
  projectId: string;
  previousProjectId?: string;
  name?: string;
  provider?: string;
  secretId?: string;
  data?: Record<string, unknown>;
  version: number;
  at?: string;
  id?: string;
}

/** An identity event, as identity's events.ts builds it. */
export function serviceAccountEvent(verb: 'created' | 'updated' | 'project_changed' | 'deleted', f: AccountFields): Event {
  return {
    id: f.id ?? `evt-test-${++seq}`,
    type: `service_account.${verb}`,
    domainId: f.domainId ?? 'domain-a',
    occurredAt: new Date(f.at ?? '2025-03-10T12:00:00Z'),
    payload: {
      $case: 'serviceAccount',
      value: {
        serviceAccountId: f.serviceAccountId,
        name: f.name ?? 'HB main',
        provider: f.provider ?? 'hyperbilling',
        projectId: f.projectId,
        previousProjectId: f.previousProjectId ?? '',
        secretId: f.secretId ?? 'secret-1',
        data: f.data ?? { account_id: 'hb-1001' },
        version: String(f.version),
      },
    },
  };
}

export function domainCreated(domainId: string, id = `evt-test-${++seq}`): Event {
  return { id, type: 'domain.created', domainId, occurredAt: new Date('2025-03-10T12:00:00Z'), payload: { $case: 'domain', value: { domainId, name: domainId, state: 'ENABLED' } } };
}

export function projectEvent(verb: 'created' | 'updated' | 'deleted', domainId: string, projectId: string, name: string, projectGroupId = ''): Event {
  return { id: `evt-test-${++seq}`, type: `project.${verb}`, domainId, occurredAt: new Date(), payload: { $case: 'project', value: { projectId, name, projectGroupId } } };
}

export function projectGroupEvent(verb: 'created' | 'updated' | 'deleted', domainId: string, projectGroupId: string, name: string, parentGroupId = ''): Event {
  return {
    id: `evt-test-${++seq}`,
    type: `project_group.${verb}`,
    domainId,
    occurredAt: new Date(),
    payload: { $case: 'projectGroup', value: { projectGroupId, name, parentGroupId } },
  };
}

export function secretUpdated(domainId: string, serviceAccountId: string, secretId: string): Event {
  return {
    id: `evt-test-${++seq}`,
    type: 'secret.updated',
    domainId,
    occurredAt: new Date(),
    payload: { $case: 'secret', value: { secretId, serviceAccountId, provider: 'hyperbilling' } },
  };
}

/** The event as identity publishes it: subject tally.identity.<type> (or under a test prefix), id = Nats-Msg-Id. */
export function toBusMessage(event: Event, prefix = 'tally.identity'): BusMessage {
  return { id: event.id, subject: `${prefix}.${event.type}`, data: Event.encode(event).finish() };
}
