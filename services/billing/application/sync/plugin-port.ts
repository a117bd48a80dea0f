/**
 * What the sync engine asks of a data source's plugin. The plugin adapter
 * (adapters/plugin/plugin-gateway.ts) implements it over gRPC; every call has a deadline, and
 * failures reject with a DomainError whose reason (PLUGIN.UNAUTHENTICATED, PLUGIN.UNAVAILABLE, …)
 * and message are fit for a job record.
 */
import type { CostRow, ReplaceWindow, Task, TaskReport } from '../../../../plugins/sdk';

export type { CostRow, ReplaceWindow, Task, TaskReport };

/** One page of a task's stream; the last may carry the task's report (and then usually no rows). */
export interface CostPage {
  rows: CostRow[];
  report?: TaskReport;
}

/** Init's answer, checked: the providers served and the default currency of rows ('' when none). */
export interface PluginInfo {
  name: string;
  version: string;
  providers: string[];
  currency: string;
}

/** The service account a call is about (never its credentials). */
export interface PluginAccount {
  serviceAccountId: string;
  externalAccountId: string;
  provider: string;
  data: Record<string, unknown>;
}

/** The parts every per-account call carries. secretData lives only as long as the job. */
export interface PluginAccountCall {
  domainId: string;
  options: Record<string, unknown>;
  secretData: Record<string, unknown>;
  account: PluginAccount;
}

export interface PluginTasks {
  tasks: Task[];
  windows: ReplaceWindow[];
}

export interface PluginPort {
  init(endpoint: string, options: Record<string, unknown>, domainId?: string, signal?: AbortSignal): Promise<PluginInfo>;
  verify(endpoint: string, call: PluginAccountCall, signal?: AbortSignal): Promise<void>;
  getTasks(endpoint: string, call: PluginAccountCall & { startDate: string; endDate: string }, signal?: AbortSignal): Promise<PluginTasks>;
  /** The task's pages. Aborting the signal cancels the stream (the iteration then throws). */
  getCostData(endpoint: string, call: PluginAccountCall & { task: Task }, signal?: AbortSignal): AsyncIterable<CostPage>;
}
