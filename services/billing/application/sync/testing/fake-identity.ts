import type { IdentityAccount, IdentityPort } from '../../ports';

/** A credential value to look for: it must never show up in a job record or a log line. */
export const CANARY = 'CANARY-7f3a9c1e5b2d4086-do-not-log';

/** An IdentityPort whose getSecretData answers the secret set for an id (a canary api_key by default). */
export class FakeIdentity implements IdentityPort {
  readonly secrets = new Map<string, Record<string, unknown>>();
  readonly fetched: string[] = [];

  async getSecretData(_domainId: string, secretId: string): Promise<Record<string, unknown>> {
    this.fetched.push(secretId);
    return this.secrets.get(secretId) ?? { api_key: CANARY };
  }
  async listDomains() {
    return [];
  }
  async listServiceAccounts(): Promise<IdentityAccount[]> {
    return [];
  }
  async listProjects() {
    return [];
  }
  async listProjectGroups() {
    return [];
  }
  async verify() {
    return null;
  }
}
