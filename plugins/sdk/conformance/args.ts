import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isIsoDate } from '../dates';
import type { ConformanceOptions } from './options';

export const USAGE = `Usage: npm run plugin:conformance -- --target host:port [options]

Checks a running Tally billing plugin (any language) against the protocol.

  --target host:port          the plugin's gRPC address (required)
  --credentials file.json     secret_data for Verify, GetTasks and GetCostData (default {})
  --bad-credentials file.json secret_data that must be refused (default: made-up values)
  --options file.json         data source options sent with every call (default {})
  --account-id id             external account id (default: credentials.account_id)
  --start YYYY-MM-DD          first day to collect (default: 3 days before today, UTC)
  --end YYYY-MM-DD            last day to collect (default: yesterday, UTC)
  --timeout-ms n              bound on each call and first page (default 10000)
  --max-rows n                rows to check before stopping (default 200000)
  --json                      print the report as JSON
  --help`;

export class UsageError extends Error {}

export interface CliArgs {
  target: string;
  json: boolean;
  options: ConformanceOptions;
}

function readJsonObject(file: string, flag: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${flag} ${file}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${flag} ${file}: a JSON object is expected`);
  return parsed as Record<string, unknown>;
}

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Parses the command line; throws UsageError with a message naming the bad flag. Null means --help. */
export function parseCliArgs(argv: string[]): CliArgs | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        target: { type: 'string' },
        credentials: { type: 'string' },
        'bad-credentials': { type: 'string' },
        options: { type: 'string' },
        'account-id': { type: 'string' },
        start: { type: 'string' },
        end: { type: 'string' },
        'timeout-ms': { type: 'string' },
        'max-rows': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return null;
  if (!values.target) throw new UsageError('--target host:port is required');
  if (!/^[^\s:]+:\d{1,5}$/.test(values.target) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(values.target)) {
    throw new UsageError(`--target must be host:port, got ${JSON.stringify(values.target)}`);
  }
  for (const flag of ['start', 'end'] as const) {
    const v = values[flag];
    if (v !== undefined && !isIsoDate(v)) throw new UsageError(`--${flag} must be a date YYYY-MM-DD, got ${JSON.stringify(v)}`);
  }
  if (values.start && values.end && values.start > values.end) throw new UsageError(`--start ${values.start} is after --end ${values.end}`);
  const options: ConformanceOptions = {
    credentials: values.credentials ? readJsonObject(values.credentials, '--credentials') : undefined,
    badCredentials: values['bad-credentials'] ? readJsonObject(values['bad-credentials'], '--bad-credentials') : undefined,
    options: values.options ? readJsonObject(values.options, '--options') : undefined,
    start: values.start,
    end: values.end,
    timeoutMs: positiveInt(values['timeout-ms'], '--timeout-ms'),
    maxRows: positiveInt(values['max-rows'], '--max-rows'),
  };
  if (values['account-id']) options.account = { externalAccountId: values['account-id'], data: { account_id: values['account-id'] } };
  return { target: values.target, json: values.json ?? false, options };
}
