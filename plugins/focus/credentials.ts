import { invalidArgument } from '../../lib/errors/domain-error';

/** Where a service account's FOCUS export is: a file, a folder, or an http(s) URL (with an optional bearer token). */
export interface FocusCredentials {
  location: string;
  bearerToken?: string;
}

export const CREDENTIAL_SCHEMA = {
  type: 'object',
  required: ['location'],
  properties: {
    location: { type: 'string', title: 'Location', description: 'A FOCUS CSV file (plain or .gz), a folder of them, or an http(s) URL', minLength: 1 },
    bearer_token: { type: 'string', title: 'Bearer token', description: 'Sent as Authorization: Bearer to an http(s) location', format: 'password' },
  },
  additionalProperties: false,
} as const;

/** secret_data checked: location required, bearer_token optional, nothing else. */
export function parseCredentials(secretData: Record<string, unknown> | undefined): FocusCredentials {
  const s = secretData ?? {};
  const unknown = Object.keys(s).filter((k) => k !== 'location' && k !== 'bearer_token');
  if (unknown.length) throw invalidArgument('FOCUS.CREDENTIALS_INVALID', `secret_data.${unknown[0]}`, `secret_data has unknown keys: ${unknown.join(', ')} (expected location and bearer_token)`);
  const { location, bearer_token: token } = s;
  if (typeof location !== 'string' || location.trim() === '')
    throw invalidArgument('FOCUS.CREDENTIALS_INVALID', 'secret_data.location', 'secret_data.location is required: a file, a folder or an http(s) URL');
  if (token !== undefined && token !== null && typeof token !== 'string')
    throw invalidArgument('FOCUS.CREDENTIALS_INVALID', 'secret_data.bearer_token', 'secret_data.bearer_token must be a string');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !/^https?:\/\//i.test(location))
    throw invalidArgument('FOCUS.CREDENTIALS_INVALID', 'secret_data.location', 'secret_data.location must be a path or an http(s) URL');
  return { location: location.trim(), ...(typeof token === 'string' && token ? { bearerToken: token } : {}) };
}
