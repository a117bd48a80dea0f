export type { Source } from '../../../lib/resource/resource-collection';
export type { Filter } from '../../../lib/store/port';
