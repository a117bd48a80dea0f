import { Decimal, isCurrencyCode } from '../../lib/money';
import { isIsoDate } from '../sdk';
import { JsonNumber, plainDecimal, type JsonValue } from './exact-json';

/** One cost record of an entry: amounts as canonical exact decimal strings. */
export interface SummaryCost {
  cost?: string;
  credit?: string;
  finalCost: string;
  costInUsd?: string;
  creditInUsd?: string;
  finalCostInUsd?: string;
  currency: string;
}

/** One entry of the answer, with the kind, month and project it was listed under. */
export interface SummaryEntry {
  kind: string;
  projectId?: string;
  projectName?: string;
  /** YYYYMM. */
  invoiceMonth: string;
  /** YYYY-MM-DD; absent when the API gave a monthly figure. */
  date?: string;
  serviceName?: string;
  regionId?: string;
  costs: SummaryCost[];
}

export interface SummaryPage {
  entries: SummaryEntry[];
  nextPageToken?: string;
}

/** The answer is valid JSON but not the shape the plugin reads; `path` says where. */
export class InvalidSummaryError extends Error {
  constructor(
    readonly path: string,
    why: string,
  ) {
    super(`${path}: ${why}`);
    this.name = 'InvalidSummaryError';
  }
}

type Obj = { [key: string]: JsonValue };
const isObj = (v: JsonValue | undefined): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof JsonNumber);
const describe = (v: JsonValue | undefined) =>
  v === undefined ? 'missing' : v === null ? 'null' : v instanceof JsonNumber ? 'a number' : Array.isArray(v) ? 'a list' : `a ${typeof v}`;

function obj(v: JsonValue | undefined, path: string): Obj {
  if (!isObj(v)) throw new InvalidSummaryError(path, `expected an object, got ${describe(v)}`);
  return v;
}

function list(v: JsonValue | undefined, path: string): JsonValue[] {
  if (!Array.isArray(v)) throw new InvalidSummaryError(path, `expected a list, got ${describe(v)}`);
  return v;
}

function optText(v: JsonValue | undefined, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof JsonNumber) return v.text;
  if (typeof v !== 'string') throw new InvalidSummaryError(path, `expected a string, got ${describe(v)}`);
  return v;
}

/** An amount written as a decimal string or a JSON number, read exactly. */
function optAmount(v: JsonValue | undefined, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  let text: string;
  if (v instanceof JsonNumber) {
    try {
      text = plainDecimal(v.text);
    } catch {
      throw new InvalidSummaryError(path, 'the number is out of range');
    }
  } else if (typeof v === 'string') text = v.trim();
  else throw new InvalidSummaryError(path, `expected a decimal amount, got ${describe(v)}`);
  const d = Decimal.tryParse(text);
  if (!d) throw new InvalidSummaryError(path, `${JSON.stringify(text.slice(0, 40))} is not a decimal amount`);
  return d.toString();
}

function cost(v: JsonValue, path: string): SummaryCost {
  const o = obj(v, path);
  const finalCost = optAmount(o.final_cost, `${path}.final_cost`);
  if (finalCost === undefined) throw new InvalidSummaryError(`${path}.final_cost`, 'missing');
  const currency = optText(o.currency, `${path}.currency`);
  if (!isCurrencyCode(currency)) throw new InvalidSummaryError(`${path}.currency`, `${JSON.stringify(currency ?? null)} is not an ISO 4217 currency code`);
  return {
    cost: optAmount(o.cost, `${path}.cost`),
    credit: optAmount(o.credit, `${path}.credit`),
    finalCost,
    costInUsd: optAmount(o.cost_in_usd, `${path}.cost_in_usd`),
    creditInUsd: optAmount(o.credit_in_usd, `${path}.credit_in_usd`),
    finalCostInUsd: optAmount(o.final_cost_in_usd, `${path}.final_cost_in_usd`),
    currency,
  };
}

function entry(v: JsonValue, path: string, kind: string, month: string | undefined, project: Obj): SummaryEntry {
  const o = obj(v, path);
  const invoiceMonth = optText(o.invoice_month, `${path}.invoice_month`) ?? month;
  if (!invoiceMonth || !/^\d{4}(0[1-9]|1[0-2])$/.test(invoiceMonth))
    throw new InvalidSummaryError(`${path}.invoice_month`, `expected YYYYMM, got ${JSON.stringify(invoiceMonth ?? null)}`);
  const date = optText(o.date, `${path}.date`);
  if (date !== undefined && !isIsoDate(date)) throw new InvalidSummaryError(`${path}.date`, `expected YYYY-MM-DD, got ${JSON.stringify(String(date).slice(0, 20))}`);
  return {
    kind,
    projectId: optText(project.project_id, 'project_id'),
    projectName: optText(project.project_name, 'project_name'),
    invoiceMonth,
    date,
    serviceName: optText(o.service_name, `${path}.service_name`),
    regionId: optText(o.region_id, `${path}.region_id`),
    costs: list(o.costs, `${path}.costs`).map((c, i) => cost(c, `${path}.costs[${i}]`)),
  };
}

/**
 * Reads one answer of GET /summary: a list of items (kind, month, per-project data), either
 * bare (as the billing-v1 era API answered) or as `{results, next_page_token}` when paged.
 */
export function readSummaryPage(body: JsonValue): SummaryPage {
  let items: JsonValue[];
  let nextPageToken: string | undefined;
  if (Array.isArray(body)) items = body;
  else {
    const root = obj(body, '$');
    items = list(root.results, '$.results');
    nextPageToken = optText(root.next_page_token, '$.next_page_token') || undefined;
  }
  const entries: SummaryEntry[] = [];
  items.forEach((it, i) => {
    const ip = `results[${i}]`;
    const item = obj(it, ip);
    const kind = optText(item.kind, `${ip}.kind`);
    if (!kind) throw new InvalidSummaryError(`${ip}.kind`, 'missing');
    const month = optText(item.month, `${ip}.month`);
    list(item.data, `${ip}.data`).forEach((p, j) => {
      const pp = `${ip}.data[${j}]`;
      const project = obj(p, pp);
      list(project.data, `${pp}.data`).forEach((e, k) => entries.push(entry(e, `${pp}.data[${k}]`, kind, month, project)));
    });
  });
  return { entries, nextPageToken };
}
