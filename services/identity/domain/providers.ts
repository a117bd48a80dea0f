/**
 * The providers every domain has. Each declares a JSON Schema for the account's non-secret data
 * and one for its credentials. Billing providers require a project on every service account.
 */
export interface ProviderSpec {
  provider: string;
  name: string;
  accountSchema: Record<string, unknown>;
  credentialSchema: Record<string, unknown>;
  isBilling: boolean;
  /**
   * Account fields the credentials are issued for (Hyper Billing's are one account's): the
   * credentials' value and the data's must agree, and neither changes on its own. A field of the
   * same name may mean something else elsewhere (Google Cloud's credentials name the service
   * account's home project, not the billed one), so nothing is bound unless listed here.
   */
  credentialsBoundTo?: string[];
}

const PEM_RSA = '^-----BEGIN (RSA )?PRIVATE KEY-----[\\s\\S]+-----END (RSA )?PRIVATE KEY-----\\s*$';

export const BUILT_IN_PROVIDERS: readonly ProviderSpec[] = [
  {
    provider: 'aws',
    name: 'AWS',
    isBilling: true,
    accountSchema: {
      type: 'object',
      required: ['account_id'],
      properties: { account_id: { type: 'string', title: 'Account ID', pattern: '^[0-9]{12}$' } },
      additionalProperties: false,
    },
    credentialSchema: {
      type: 'object',
      required: ['aws_access_key_id', 'aws_secret_access_key'],
      properties: {
        aws_access_key_id: { type: 'string', title: 'Access key ID', minLength: 16, maxLength: 128 },
        aws_secret_access_key: { type: 'string', title: 'Secret access key', minLength: 16, maxLength: 256, format: 'password' },
        role_arn: { type: 'string', title: 'Role ARN to assume', pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$' },
      },
      additionalProperties: false,
    },
  },
  {
    provider: 'google_cloud',
    name: 'Google Cloud',
    isBilling: true,
    accountSchema: {
      type: 'object',
      required: ['project_id'],
      properties: { project_id: { type: 'string', title: 'Project ID', pattern: '^[a-z][a-z0-9-]{4,28}[a-z0-9]$' } },
      additionalProperties: false,
    },
    credentialSchema: {
      type: 'object',
      required: ['client_email', 'private_key'],
      properties: {
        client_email: { type: 'string', title: 'Client email', format: 'email' },
        private_key: { type: 'string', title: 'Private key', pattern: PEM_RSA, format: 'password' },
        private_key_id: { type: 'string', title: 'Private key ID' },
        project_id: { type: 'string', title: 'Project ID' },
      },
      additionalProperties: false,
    },
  },
  {
    provider: 'azure',
    name: 'Azure',
    isBilling: true,
    accountSchema: {
      type: 'object',
      required: ['subscription_id'],
      properties: {
        subscription_id: { type: 'string', title: 'Subscription ID', format: 'uuid' },
        tenant_id: { type: 'string', title: 'Tenant ID', format: 'uuid' },
      },
      additionalProperties: false,
    },
    credentialSchema: {
      type: 'object',
      required: ['tenant_id', 'client_id', 'client_secret'],
      properties: {
        tenant_id: { type: 'string', title: 'Tenant ID', format: 'uuid' },
        client_id: { type: 'string', title: 'Client ID', format: 'uuid' },
        client_secret: { type: 'string', title: 'Client secret', minLength: 8, format: 'password' },
      },
      additionalProperties: false,
    },
  },
  {
    provider: 'hyperbilling',
    name: 'Hyper Billing',
    isBilling: true,
    credentialsBoundTo: ['account_id'],
    accountSchema: {
      type: 'object',
      required: ['account_id'],
      properties: {
        account_id: { type: 'string', title: 'Account', minLength: 1, maxLength: 64 },
        platform: { type: 'string', title: 'Platform', enum: ['aws', 'google_cloud', 'alibaba', 'tencent', 'akamai'] },
      },
      additionalProperties: false,
    },
    credentialSchema: {
      type: 'object',
      required: ['account_id', 'client_email', 'private_key'],
      properties: {
        account_id: { type: 'string', title: 'Account', minLength: 1, maxLength: 64 },
        client_email: { type: 'string', title: 'Email', format: 'email' },
        private_key: { type: 'string', title: 'Key', description: 'PEM RSA private key', pattern: PEM_RSA, format: 'password' },
      },
      additionalProperties: false,
    },
  },
  {
    provider: 'focus',
    name: 'FOCUS export',
    isBilling: true,
    accountSchema: {
      type: 'object',
      required: ['account_id'],
      properties: { account_id: { type: 'string', title: 'Account', description: 'The SubAccountId (or BillingAccountId) of its rows', minLength: 1, maxLength: 256 } },
      additionalProperties: false,
    },
    credentialSchema: {
      type: 'object',
      required: ['location'],
      properties: {
        location: { type: 'string', title: 'Location', description: 'A FOCUS CSV file (plain or .gz), a folder of them, or an http(s) URL', minLength: 1, maxLength: 2048 },
        bearer_token: { type: 'string', title: 'Bearer token', description: 'For an http(s) location', format: 'password' },
      },
      additionalProperties: false,
    },
  },
];

export const BUILT_IN_KEYS = new Set(BUILT_IN_PROVIDERS.map((p) => p.provider));

/** The account fields a built-in provider's credentials are issued for (none for custom providers). */
export function credentialsBoundTo(provider: { provider: string; built_in: boolean }): readonly string[] {
  if (!provider.built_in) return [];
  return BUILT_IN_PROVIDERS.find((p) => p.provider === provider.provider)?.credentialsBoundTo ?? [];
}

/** Keys of custom providers: lowercase, digits and underscores. */
export const PROVIDER_KEY_PATTERN = /^[a-z][a-z0-9_]{1,39}$/;
