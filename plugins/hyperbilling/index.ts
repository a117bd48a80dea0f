export { createHyperBillingPlugin, DEFAULT_ENDPOINT, PLUGIN_NAME, PROVIDER, type HyperBillingPluginOptions } from './plugin';
export { HYPERBILLING_VARS, loadHyperBillingConfig, type HyperBillingConfig } from './config';
export { CREDENTIAL_SCHEMA, parseCredentials, type HyperBillingCredentials } from './credentials';
export { OPTIONS_SCHEMA, parseOptions, type HyperBillingOptions } from './options';
export { DEFAULT_RETRY_POLICY, fullJitterDelay, parseRetryAfter, type RetryPolicy } from './retry-policy';
export { fetchSummaryPage, fetchSummaryPages, type SummaryClientOptions, type SummaryQuery } from './summary-client';
export { signHyperBillingJwt, TOKEN_LIFETIME_SECONDS } from './jwt';
