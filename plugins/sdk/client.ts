import { makeGenericClientConstructor, Metadata, type ChannelCredentials, type ClientReadableStream } from '@grpc/grpc-js';
import {
  DataSourcePluginServiceGetCostDataRequest,
  DataSourcePluginServiceGetTasksRequest,
  DataSourcePluginServiceInitRequest,
  DataSourcePluginServiceVerifyRequest,
  type DataSourcePluginServiceGetTasksResponse,
  type DataSourcePluginServiceInitResponse,
  DataSourcePluginServiceService,
  type DataSourcePluginServiceClient,
  type DataSourcePluginServiceVerifyResponse,
} from '../../gen/tally/plugin/billing/v1/plugin';
import { CLIENT_OPTIONS, insecure, unary, type CallSettings } from '../../lib/grpc/client';
import { decodeCostDataPage } from './page-decoder';
import type { CostDataPage } from './types';

type Partial1<F extends { fromPartial(o: never): unknown }> = Parameters<F['fromPartial']>[0];

/** Settings of a unary plugin call: deadline (default 10 s), signal, metadata. */
export type UnarySettings = Omit<CallSettings, 'credential'>;

export interface StreamSettings {
  /** Aborting cancels the call: the iteration then throws the CANCELLED error. */
  signal?: AbortSignal;
  /** Deadline of the whole stream. Default 30 minutes (a year of rows can take a while). */
  deadlineMs?: number;
  metadata?: Metadata;
}

export interface ConnectOptions {
  /** Default: insecure (plugins are reached on the internal network). */
  credentials?: ChannelCredentials;
  /** Largest message accepted. Default 16 MiB. */
  maxReceiveMessageBytes?: number;
}

/**
 * A typed client of one plugin. Calls reject (and iterations throw) with the grpc-js
 * ServiceError: its `code` is the gRPC status, `details` the message.
 */
export interface PluginClient {
  init(req?: Partial1<typeof DataSourcePluginServiceInitRequest>, settings?: UnarySettings): Promise<DataSourcePluginServiceInitResponse>;
  verify(req: Partial1<typeof DataSourcePluginServiceVerifyRequest>, settings?: UnarySettings): Promise<DataSourcePluginServiceVerifyResponse>;
  getTasks(req: Partial1<typeof DataSourcePluginServiceGetTasksRequest>, settings?: UnarySettings): Promise<DataSourcePluginServiceGetTasksResponse>;
  /**
   * The task's pages, read as fast as the loop consumes them (the server waits for a slow
   * reader). Leaving the loop early (break, throw) cancels the call.
   */
  getCostData(req: Partial1<typeof DataSourcePluginServiceGetCostDataRequest>, settings?: StreamSettings): AsyncIterable<CostDataPage>;
  close(): void;
}

export const DEFAULT_STREAM_DEADLINE_MS = 30 * 60_000;

/**
 * HTTP/2 flow-control window of the plugin channel. With HTTP/2's default (64 KiB, less than one
 * page) a plugin could send nothing while billing stored a page: the two took turns instead of
 * working at once. A few pages' worth lets the plugin run ahead; the window still bounds it.
 */
export const STREAM_WINDOW_BYTES = 8 * 1024 * 1024;

/** The generated client, with GetCostData pages decoded by the hand-written decoder (the one hot message). */
const PluginServiceClient = makeGenericClientConstructor(
  { ...DataSourcePluginServiceService, getCostData: { ...DataSourcePluginServiceService.getCostData, responseDeserialize: decodeCostDataPage } },
  'tally.plugin.billing.v1.DataSourcePluginService',
) as unknown as new (address: string, credentials: ChannelCredentials, options: object) => DataSourcePluginServiceClient;

/** Connects to a plugin at host:port (the channel connects lazily, on the first call). */
export function connectPlugin(target: string, options: ConnectOptions = {}): PluginClient {
  const client = new PluginServiceClient(target, options.credentials ?? insecure(), {
    ...CLIENT_OPTIONS,
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? CLIENT_OPTIONS['grpc.max_receive_message_length'],
    'grpc-node.flow_control_window': STREAM_WINDOW_BYTES,
  });
  return {
    init: (req = {}, settings) => unary(client, client.init, DataSourcePluginServiceInitRequest.fromPartial(req), settings),
    verify: (req, settings) => unary(client, client.verify, DataSourcePluginServiceVerifyRequest.fromPartial(req), settings),
    getTasks: (req, settings) => unary(client, client.getTasks, DataSourcePluginServiceGetTasksRequest.fromPartial(req), settings),
    getCostData: (req, settings = {}) => ({
      [Symbol.asyncIterator]: () => {
        const deadline = new Date(Date.now() + (settings.deadlineMs ?? DEFAULT_STREAM_DEADLINE_MS));
        const call = client.getCostData(DataSourcePluginServiceGetCostDataRequest.fromPartial(req), settings.metadata ?? new Metadata(), { deadline });
        return pagesOf(call, settings.signal);
      },
    }),
    close: () => client.close(),
  };
}

/**
 * Reads a server stream as an async iterator with bounded buffering: the stream is paused
 * while pages wait to be consumed, so a slow consumer slows the plugin down instead of
 * filling memory.
 */
function pagesOf(call: ClientReadableStream<CostDataPage>, signal?: AbortSignal): AsyncIterator<CostDataPage> {
  const HIGH_WATER = 4;
  const queue: CostDataPage[] = [];
  let ended = false;
  let failure: unknown;
  let waiter: (() => void) | undefined;
  const wake = () => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };
  const onAbort = () => {
    queue.length = 0;
    call.cancel();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const cleanup = () => signal?.removeEventListener('abort', onAbort);
  call.on('data', (page: CostDataPage) => {
    if (signal?.aborted) return;
    queue.push(page);
    if (queue.length >= HIGH_WATER) call.pause();
    wake();
  });
  call.on('end', () => {
    ended = true;
    cleanup();
    wake();
  });
  call.on('error', (err) => {
    failure ??= err;
    ended = true;
    cleanup();
    wake();
  });
  if (signal?.aborted) call.cancel();
  let finished = false;
  const stop = () => {
    if (!finished) {
      finished = true;
      if (!ended) call.cancel();
      cleanup();
    }
  };
  return {
    async next(): Promise<IteratorResult<CostDataPage>> {
      for (;;) {
        if (finished) return { done: true, value: undefined };
        const page = queue.shift();
        if (page) {
          if (queue.length < HIGH_WATER) call.resume();
          return { done: false, value: page };
        }
        if (failure) {
          finished = true;
          throw failure;
        }
        if (ended) {
          finished = true;
          return { done: true, value: undefined };
        }
        await new Promise<void>((resolve) => (waiter = resolve));
      }
    },
    async return(): Promise<IteratorResult<CostDataPage>> {
      stop();
      return { done: true, value: undefined };
    },
  };
}
