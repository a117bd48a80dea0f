/**
 * The provider's own id of an account, matched against the account ids in plugin rows and
 * FOCUS SubAccountId: data.account_id (AWS, Hyper Billing), data.subscription_id (Azure) or
 * data.project_id (Google Cloud), the first that is a non-empty string.
 */
const KEYS = ['account_id', 'subscription_id', 'project_id'] as const;

export function externalAccountId(data: Record<string, unknown> | undefined): string {
  for (const key of KEYS) {
    const v = data?.[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return '';
}
