export { BILLING_SUBJECT, createIdentityClient, type IdentityClient, type IdentityClientOptions } from './identity-client';
export { identityError } from './identity-errors';
