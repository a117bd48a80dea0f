/**
 * Tally plugin SDK: serve a billing data source plugin in a few lines, call one, and check one
 * with the conformance kit. This list is the SDK's public API; other code imports from here.
 */
export type {
  Account,
  CostDataContext,
  CostDataPage,
  CostRow,
  CostRowInput,
  CostRowSource,
  GetCostDataRequest,
  GetTasksRequest,
  GetTasksResult,
  InitRequest,
  PluginContext,
  PluginImpl,
  PluginMetadata,
  PluginMetadataInput,
  ReplaceWindow,
  Task,
  TaskInput,
  TaskReport,
  TaskReportInput,
  VerifyRequest,
} from './types';
export { serve, runPlugin, type ServeOptions, type RunPluginOptions, type RunningPlugin } from './serve';
export { pluginService, PLUGIN_SERVICE_NAME, type PluginServiceOptions } from './plugin-service';
export { PLUGIN_CALLER } from './plugin-caller';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, DEFAULT_MAX_MESSAGE_BYTES, MAX_REPORT_NOTES, MAX_REPORT_NOTE_CHARS } from './limits';
export { PLUGIN_VARS, loadPluginConfig, type PluginConfig } from './config';
export { connectPlugin, type ConnectOptions, type PluginClient, type StreamSettings, type UnarySettings } from './client';
export { addDays, assertDateRange, compareDates, daysInRange, isIsoDate, monthsInRange, todayUtc, type DateRange } from './dates';
export { runConformance, formatReport, BAD_CREDENTIALS, type CheckResult, type CheckStatus, type ConformanceOptions, type ConformanceReport } from './conformance';
export {
  DomainError,
  invalidArgument,
  unauthenticated,
  unavailable,
  type ErrorKind,
} from '../../lib/errors/domain-error';
