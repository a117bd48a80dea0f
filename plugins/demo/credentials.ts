import { invalidArgument, unauthenticated } from '../../lib/errors/domain-error';
import type { Account } from '../sdk';

/** The api_key the demo backend rejects, so a plugin-conformance bad-credential check has something to find. */
export const REJECTED_API_KEY = 'bad';

export const DEMO_CREDENTIAL_SCHEMA = {
  type: 'object',
  properties: {
    account_id: { type: 'string', title: 'Account ID', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    api_key: { type: 'string', title: 'API key', description: `any value but "${REJECTED_API_KEY}"`, format: 'password' },
  },
};

const ACCOUNT_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Checks credentials as the demo backend would: `{}` or `{ account_id }` work; api_key "bad" is
 * rejected (UNAUTHENTICATED); a malformed account_id or api_key is INVALID_ARGUMENT. Answers the
 * external account id the rows belong to. Messages never repeat a credential's value.
 */
export function checkCredentials(secretData: Record<string, unknown> | undefined, account: Account | undefined): string {
  const s = secretData ?? {};
  if (s.api_key !== undefined && typeof s.api_key !== 'string') throw invalidArgument('DEMO.INVALID_CREDENTIALS', 'secret_data.api_key', 'secret_data.api_key must be a string');
  if (s.api_key === REJECTED_API_KEY) throw unauthenticated('the demo backend rejected the api_key');
  if (s.account_id !== undefined && (typeof s.account_id !== 'string' || !ACCOUNT_ID.test(s.account_id))) {
    throw invalidArgument('DEMO.INVALID_CREDENTIALS', 'secret_data.account_id', 'secret_data.account_id must be 1-64 letters, digits, ".", "_" or "-"');
  }
  const id = account?.externalAccountId || (s.account_id as string | undefined) || 'demo-account';
  if (!ACCOUNT_ID.test(id)) throw invalidArgument('DEMO.INVALID_ACCOUNT', 'account.external_account_id', 'account.external_account_id must be 1-64 letters, digits, ".", "_" or "-"');
  return id;
}
