import { createPrivateKey, type KeyObject } from 'node:crypto';
import { invalidArgument } from '../../lib/errors/domain-error';

/** Hyper Billing credentials: account, email and key. */
export interface HyperBillingCredentials {
  accountId: string;
  clientEmail: string;
  /** The parsed key; the PEM text is not kept. */
  privateKey: KeyObject;
  /** billing-v1 carried the platform in the credentials; read when neither options nor account data give it. */
  platform?: string;
}

/** The same as identity's credential schema of the built-in hyperbilling provider. */
export const CREDENTIAL_SCHEMA = {
  type: 'object',
  required: ['account_id', 'client_email', 'private_key'],
  properties: {
    account_id: { type: 'string', title: 'Account', minLength: 1, maxLength: 64 },
    client_email: { type: 'string', title: 'Email', format: 'email' },
    private_key: { type: 'string', title: 'Key', description: 'PEM RSA private key', format: 'password' },
  },
} as const;

const EMAIL = /^[^\s@]{1,128}@[^\s@]{1,255}$/;
const ACCOUNT = /^[\w.:-]{1,128}$/;

const field = (name: string) => `secret_data.${name}`;

/**
 * Reads and checks secret_data. Problems are INVALID_ARGUMENT naming the field; messages never
 * quote the key (nor the parser's own error, which could).
 */
export function parseCredentials(secretData: Record<string, unknown> | undefined): HyperBillingCredentials {
  const data = secretData ?? {};
  const text = (name: string): string => {
    const v = data[name];
    if (typeof v !== 'string' || v.trim() === '')
      throw invalidArgument('HYPERBILLING.CREDENTIALS_MISSING', field(name), `${field(name)} is required (Hyper Billing credentials are account_id, client_email and private_key)`);
    return v.trim();
  };
  const accountId = text('account_id');
  if (!ACCOUNT.test(accountId))
    throw invalidArgument('HYPERBILLING.CREDENTIALS_INVALID', field('account_id'), `${field('account_id')} must be 1-128 letters, digits, '.', ':', '_' or '-'`);
  const clientEmail = text('client_email');
  if (!EMAIL.test(clientEmail))
    throw invalidArgument('HYPERBILLING.CREDENTIALS_INVALID', field('client_email'), `${field('client_email')} must be an email address`);
  const privateKey = parsePrivateKey(text('private_key'));
  const platform = typeof data.platform === 'string' && data.platform.trim() ? data.platform.trim() : undefined;
  return { accountId, clientEmail, privateKey, platform };
}

function parsePrivateKey(pem: string): KeyObject {
  const bad = (why: string) => invalidArgument('HYPERBILLING.PRIVATE_KEY_INVALID', field('private_key'), `${field('private_key')} ${why}`);
  // Keys pasted from a JSON file sometimes keep their newlines escaped.
  const normalized = !pem.includes('\n') && pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(normalized)) {
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(normalized)) throw bad('is encrypted; give the unencrypted PEM key Hyper Billing issued');
    throw bad('is not a PEM RSA private key (it must start with -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: normalized, format: 'pem' });
  } catch {
    throw bad('could not be read as a PEM RSA private key (damaged or incomplete)');
  }
  if (key.asymmetricKeyType !== 'rsa') throw bad(`is a ${key.asymmetricKeyType ?? 'non-RSA'} key; Hyper Billing needs an RSA key`);
  return key;
}
