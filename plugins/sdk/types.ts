import type { Logger } from '../../lib/log/logger';
import type {
  Account,
  CostRow,
  DataSourcePluginServiceGetCostDataRequest,
  DataSourcePluginServiceGetCostDataResponse,
  DataSourcePluginServiceGetTasksRequest,
  DataSourcePluginServiceInitRequest,
  DataSourcePluginServiceVerifyRequest,
  PluginMetadata,
  ReplaceWindow,
  Task,
  TaskReport,
} from '../../gen/tally/plugin/billing/v1/plugin';

export type { Account, CostRow, PluginMetadata, ReplaceWindow, Task, TaskReport };
export type InitRequest = DataSourcePluginServiceInitRequest;
export type VerifyRequest = DataSourcePluginServiceVerifyRequest;
export type GetTasksRequest = DataSourcePluginServiceGetTasksRequest;
export type GetCostDataRequest = DataSourcePluginServiceGetCostDataRequest;
/** One page of a GetCostData stream as a client receives it. */
export type CostDataPage = DataSourcePluginServiceGetCostDataResponse;

/** What a plugin's functions know about the call besides the request. */
export interface PluginContext {
  requestId: string;
  /** Redacts secret_data paths; never log the request's secret_data yourself. */
  logger: Logger;
  /** Aborted when the caller cancels or the deadline passes: pass it to every fetch. */
  signal: AbortSignal;
}

/** What a task tells the job besides its rows. */
export interface TaskReportInput {
  /** Source records skipped as unreadable (when the plugin's options say skip rather than fail). */
  skippedRecords?: number;
  /** Short notes a user can act on: which record was bad and why, what was interpreted. Never secrets. */
  notes?: string[];
}

/** GetCostData's context: the call's, plus a report for the job record. */
export interface CostDataContext extends PluginContext {
  /**
   * Sets the task's report (the latest call wins). The SDK sends it after the last row, once the
   * rows are all sent; notes beyond MAX_REPORT_NOTES or MAX_REPORT_NOTE_CHARS are cut.
   */
  report(report: TaskReportInput): void;
}

/** Init's answer: page_size, version and the schemas may be left out (the SDK fills them). */
export type PluginMetadataInput = Pick<PluginMetadata, 'name' | 'providers' | 'currency'> & Partial<PluginMetadata>;

/** A task as a plugin writes it: task_options may be left out. */
export type TaskInput = Pick<Task, 'taskId' | 'startDate' | 'endDate'> & Partial<Task>;

export interface GetTasksResult {
  tasks: TaskInput[];
  /** The stored rows these windows cover are replaced by the tasks' rows, in one visible step. */
  windows: ReplaceWindow[];
}

/** A cost row as a plugin writes it: region, usage type, unit, resource id, tags and additional info may be left out. */
export type CostRowInput = Pick<CostRow, 'billedDate' | 'externalAccountId' | 'provider' | 'product' | 'usageQuantity' | 'cost' | 'currency'> &
  Partial<CostRow>;

/**
 * Rows, or pages of rows, in any grouping: the SDK re-chunks them into pages of the plugin's
 * page_size. Sync iterables (generators) are the fastest path.
 */
export type CostRowSource = AsyncIterable<CostRowInput | CostRowInput[]> | Iterable<CostRowInput | CostRowInput[]>;

/**
 * A billing data source plugin: four plain functions that know nothing of gRPC. Throw a
 * DomainError (lib/errors/domain-error) to answer with its status; anything else becomes
 * INTERNAL without detail. secret_data arrives in each call and must not be stored or logged.
 */
export interface PluginImpl {
  init(req: InitRequest, ctx: PluginContext): Promise<PluginMetadataInput> | PluginMetadataInput;
  /** Resolve when the credentials work; throw UNAUTHENTICATED (rejected) or INVALID_ARGUMENT (malformed). */
  verify(req: VerifyRequest, ctx: PluginContext): Promise<void> | void;
  /** start_date/end_date are checked (YYYY-MM-DD, start <= end) before this is called. */
  getTasks(req: GetTasksRequest, ctx: PluginContext): Promise<GetTasksResult> | GetTasksResult;
  /** The task (with valid dates) is checked before this is called. Stop when ctx.signal aborts. */
  getCostData(req: GetCostDataRequest, ctx: CostDataContext): CostRowSource;
}
