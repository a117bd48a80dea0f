export { DATA_SOURCE_INDEXES, DATA_SOURCE_QUERY_SCHEMA, dataSources } from './collection';
export { deregisterDataSource, retireDataSource } from './deregister';
export { ensureHyperbillingDataSource, hyperbillingDataSourceId, HYPERBILLING_DATA_SOURCE, type EnsureHyperbilling } from './hyperbilling';
export { describePlugin, type PluginInit } from './plugin-init';
export { getDataSource, listDataSources, statDataSources } from './read';
export { registerDataSource, type RegisterDataSource } from './register';
export { disableDataSource, enableDataSource } from './state';
export { updateDataSource, type UpdateDataSource } from './update';
export { DATA_SOURCE_LIMITS, checkPluginEndpoint } from './validate';
