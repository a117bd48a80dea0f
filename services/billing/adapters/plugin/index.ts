/** Billing's side of the plugin protocol: gRPC clients of data source plugins. */
export {
  createPluginGateway,
  pluginInit,
  DEFAULT_PAGE_IDLE_MS,
  DEFAULT_STREAM_DEADLINE_MS,
  DEFAULT_UNARY_DEADLINE_MS,
  type PluginGateway,
  type PluginGatewayOptions,
} from './plugin-gateway';
export { pluginError, isServiceError, type PluginErrorContext, type PluginMethod } from './plugin-errors';
