/**
 * What the fake Hyper Billing API handed out, kept across restarts for the quick starts (`make run`
 * and `make run-processes`): a provider does not forget its customers' keys when it restarts, so
 * every credential it issued is stored (mode 0600) and its client re-admitted on start. The
 * credentials file the quick starts print lists the issued credentials no service account uses
 * yet, in the shape the Hyper Billing credential schema takes (account_id, client_email,
 * private_key, nothing else), and is topped up with new ones so there are always some to register.
 *
 * Development only: the private keys are stored in the clear, as the provider hands them out.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as domainPb from '../../gen/tally/identity/v1/domain';
import * as serviceAccountPb from '../../gen/tally/identity/v1/service_account';
import { signInternalToken } from '../../lib/auth/internal-token';
import type { ConfigSchema } from '../../lib/config/config';
import { CLIENT_OPTIONS, insecure, unary } from '../../lib/grpc/client';
import type { ClientSpec, IssuedCredentials } from './clients';

/** The fake's quick-start variables (besides FAKE_HYPERBILLING_VARS). */
export const ISSUED_VARS = {
  TALLY_FAKE_HYPERBILLING_STATE_FILE: {
    type: 'string',
    description: 'Where every credential the fake issued is kept (mode 0600), so a restart re-admits its clients; nothing is kept when unset',
  },
  TALLY_IDENTITY_ENDPOINT: {
    type: 'string',
    description: "identity's gRPC address: when set, the credentials file lists only credentials no domain has registered (needs TALLY_INTERNAL_TOKEN_SECRET)",
  },
  TALLY_INTERNAL_TOKEN_SECRET: {
    type: 'string',
    minLength: 32,
    secret: true,
    description: "The services' shared token secret, to ask identity which accounts are registered",
  },
} as const satisfies ConfigSchema;

/** The fewest unregistered credentials the credentials file offers. */
export const MIN_UNREGISTERED = 2;

const PROVIDER = 'hyperbilling';
const PAGE = 500;
const DEADLINE_MS = 5000;

/** Writes JSON readable by the owner only, replacing the file at once (never half written). */
export function writePrivateJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

function isIssued(v: unknown): v is IssuedCredentials {
  const c = v as Partial<IssuedCredentials> | null;
  return typeof c?.account_id === 'string' && typeof c.client_email === 'string' && typeof c.private_key === 'string';
}

/** The credentials stored in `file` (a bare array), none when it does not exist. */
export function readIssued(file: string): IssuedCredentials[] {
  if (!existsSync(file)) return [];
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(parsed) || !parsed.every(isIssued)) throw new Error(`${file}: expected a JSON array of {account_id, client_email, private_key}`);
  return parsed;
}

/** Only the fields the Hyper Billing credential schema accepts. */
export const asCredentials = (c: IssuedCredentials): IssuedCredentials => ({ account_id: c.account_id, client_email: c.client_email, private_key: c.private_key });

/** The provider's client behind a stored credential, to admit again (the public key derived from the private one). */
export function clientOf(c: IssuedCredentials): ClientSpec {
  const publicKey = createPublicKey(c.private_key).export({ type: 'spki', format: 'pem' }).toString();
  return { client_email: c.client_email, public_key: publicKey, accounts: [c.account_id] };
}

/** The e-mail domain of the fake's clients for a seed, as the fake names them. */
export const emailDomainOf = (seed: string) => `${seed.replace(/[^\w-]/g, '') || 'seed'}.hyperbilling.test`;

/**
 * A new client with its own RSA key for an account, named `client-<n>@<domain>` with an n no
 * stored credential uses (the fake's own counter starts over at every start, so it cannot name them).
 */
export function issueNew(accountId: string, taken: readonly IssuedCredentials[], emailDomain: string): IssuedCredentials {
  const emails = new Set(taken.map((c) => c.client_email));
  let n = taken.length + 1;
  while (emails.has(`client-${n}@${emailDomain}`)) n++;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { account_id: accountId, client_email: `client-${n}@${emailDomain}`, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** Account ids after the highest numeric one issued (12 digits), or from `first` when none is numeric. */
export function nextAccountIds(issued: readonly IssuedCredentials[], count: number, first: string): string[] {
  const numeric = issued.map((c) => c.account_id).filter((id) => /^\d{1,15}$/.test(id)).map(Number);
  let next = numeric.length ? Math.max(...numeric) + 1 : Number(first);
  const ids: string[] = [];
  const used = new Set(issued.map((c) => c.account_id));
  while (ids.length < count) {
    const id = String(next++).padStart(12, '0');
    if (!used.has(id)) ids.push(id);
  }
  return ids;
}

/**
 * The issued credentials whose account no service account uses, topped up with new credentials
 * (for new accounts) when fewer than MIN_UNREGISTERED remain. `added` are the new ones: the
 * caller stores them and admits their clients.
 */
export function unregisteredOf(
  issued: readonly IssuedCredentials[],
  registered: ReadonlySet<string>,
  o: { emailDomain: string; firstAccountId: string; min?: number },
): { unregistered: IssuedCredentials[]; added: IssuedCredentials[] } {
  const unregistered = issued.filter((c) => !registered.has(c.account_id));
  const added: IssuedCredentials[] = [];
  const missing = Math.max(0, (o.min ?? MIN_UNREGISTERED) - unregistered.length);
  for (const id of nextAccountIds(issued, missing, o.firstAccountId)) added.push(issueNew(id, [...issued, ...added], o.emailDomain));
  return { unregistered: [...unregistered, ...added].map(asCredentials), added };
}

/**
 * The account_id of every Hyper Billing service account each credential can read (one credential
 * per domain: an API key of the domain, or a SYSTEM token bound to it). Identity fills data.account_id
 * from the credentials when the registration leaves it out, so this is the registered accounts.
 */
export async function registeredAccountIds(identityEndpoint: string, credentials: readonly string[]): Promise<Set<string>> {
  const client = new serviceAccountPb.ServiceAccountServiceClient(identityEndpoint, insecure(), CLIENT_OPTIONS);
  const ids = new Set<string>();
  try {
    for (const credential of credentials) {
      for (let start = 1; ; start += PAGE) {
        const req = serviceAccountPb.ServiceAccountServiceListRequest.fromPartial({
          query: { filter: [{ k: 'provider', v: PROVIDER, o: 'eq' }], page: { start, limit: PAGE }, only: ['data'] },
        });
        const res = await unary(client, client.list, req, { credential, deadlineMs: DEADLINE_MS });
        for (const sa of res.results) {
          const id: unknown = sa.data?.account_id;
          if (typeof id === 'string') ids.add(id);
        }
        if (res.results.length < PAGE || start + PAGE > res.totalCount) break;
      }
    }
  } finally {
    client.close();
  }
  return ids;
}

/** registeredAccountIds over every domain, asked with SYSTEM tokens signed with the services' shared secret. */
export async function registeredAccountIdsEverywhere(identityEndpoint: string, internalSecret: string): Promise<Set<string>> {
  const token = (domainId: string) => signInternalToken(internalSecret, { subject: 'fake-hyperbilling', domainId, role: 'SYSTEM', projectIds: [] });
  const client = new domainPb.DomainServiceClient(identityEndpoint, insecure(), CLIENT_OPTIONS);
  const domainIds: string[] = [];
  try {
    for (let start = 1; ; start += PAGE) {
      const req = domainPb.DomainServiceListRequest.fromPartial({ query: { page: { start, limit: PAGE } } });
      const res = await unary(client, client.list, req, { credential: token(''), deadlineMs: DEADLINE_MS });
      domainIds.push(...res.results.map((d) => d.domainId));
      if (res.results.length < PAGE || start + PAGE > res.totalCount) break;
    }
  } finally {
    client.close();
  }
  return registeredAccountIds(identityEndpoint, domainIds.map(token));
}
