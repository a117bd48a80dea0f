import type { QuerySchema } from '../../../../lib/query';
import { ResourceCollection } from '../../../../lib/resource/resource-collection';
import type { IndexSpec } from '../../../../lib/store/port';
import { BILLING_COLLECTIONS, type DataSourceRecord } from '../../domain/records';

/** What List and Stat of data sources may filter, sort and group on. */
export const DATA_SOURCE_QUERY_SCHEMA = {
  resource: 'data source',
  fields: {
    data_source_id: { type: 'string', stored: '_id' },
    name: 'string',
    providers: 'string[]',
    plugin_endpoint: 'string',
    options: 'map',
    state: 'string',
    schedule_hours: 'number',
    currency: 'string',
    built_in: 'boolean',
    tags: 'map',
    domain_id: 'string',
    created_at: 'datetime',
    last_synced_at: 'datetime',
  },
  keywordFields: ['data_source_id', 'name', 'plugin_endpoint'],
  defaultSort: [{ key: 'name' }],
} satisfies QuerySchema;

export const dataSources = new ResourceCollection<DataSourceRecord>(BILLING_COLLECTIONS.dataSources, 'data source', DATA_SOURCE_QUERY_SCHEMA);

export const DATA_SOURCE_INDEXES: Record<string, IndexSpec[]> = {
  [BILLING_COLLECTIONS.dataSources]: [
    { name: 'domain_name', fields: ['domain_id', 'name'] },
    { name: 'domain_state', fields: ['domain_id', 'state'] },
  ],
};
