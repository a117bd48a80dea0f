import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { makeAccount, type AccountSpec, type FakeAccount } from './accounts';

/** A client of the provider: its email, the public key its tokens verify with, its accounts. */
export interface ClientSpec {
  client_email: string;
  /** PEM (SPKI or PKCS#1) or a KeyObject; when absent a key pair is generated and handed out. */
  public_key?: string | KeyObject;
  /** Accounts this client may read; unknown ones are created with default settings. */
  accounts?: (string | AccountSpec)[];
}

export interface AddedClient {
  client_email: string;
  /** PKCS#8 PEM of a generated key pair; absent when the spec brought its own public key. */
  private_key?: string;
}

/** What the provider hands a customer: account, email and key. */
export interface IssuedCredentials {
  account_id: string;
  client_email: string;
  private_key: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The provider's clients and accounts. */
export class ClientRegistry {
  private readonly clients = new Map<string, { publicKey: KeyObject; accounts: Set<string> }>();
  private readonly accounts = new Map<string, FakeAccount>();
  private issued = 0;

  constructor(private readonly domain: string) {}

  addAccount(spec: AccountSpec | string): FakeAccount {
    const account = makeAccount(spec);
    const existing = this.accounts.get(account.account_id);
    if (existing && typeof spec === 'string') return existing;
    this.accounts.set(account.account_id, account);
    return account;
  }

  addClient(spec: ClientSpec): AddedClient {
    if (!EMAIL.test(spec.client_email)) throw new RangeError(`bad client_email ${JSON.stringify(spec.client_email)}`);
    let privateKey: string | undefined;
    let publicKey: KeyObject;
    if (spec.public_key === undefined) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      publicKey = pair.publicKey;
      privateKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    } else {
      publicKey = createPublicKey(spec.public_key);
      if (publicKey.asymmetricKeyType !== 'rsa') throw new RangeError('client keys must be RSA');
    }
    const owned = new Set(this.clients.get(spec.client_email)?.accounts);
    for (const a of spec.accounts ?? []) {
      const id = typeof a === 'string' ? a : a.account_id;
      if (typeof a !== 'string' || !this.accounts.has(id)) this.addAccount(a);
      owned.add(id);
    }
    this.clients.set(spec.client_email, { publicKey, accounts: owned });
    return { client_email: spec.client_email, private_key: privateKey };
  }

  /** A new client with a generated key pair that may read these accounts. */
  issueCredentials(accountIds: string | string[], clientEmail?: string): IssuedCredentials {
    const ids = typeof accountIds === 'string' ? [accountIds] : accountIds;
    if (ids.length === 0) throw new RangeError('issueCredentials needs at least one account id');
    const client_email = clientEmail ?? `client-${++this.issued}@${this.domain}`;
    const added = this.addClient({ client_email, accounts: ids });
    return { account_id: ids[0], client_email, private_key: added.private_key as string };
  }

  keyFor(email: string): KeyObject | undefined {
    return this.clients.get(email)?.publicKey;
  }

  account(accountId: string): FakeAccount | undefined {
    return this.accounts.get(accountId);
  }

  owns(email: string, accountId: string): boolean {
    return this.clients.get(email)?.accounts.has(accountId) ?? false;
  }
}
