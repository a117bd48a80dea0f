import { randomBytes } from 'node:crypto';

/** Resource ids carry a prefix naming their kind: domain-, project-, pg-, sa-, secret-, key-, ... */
export type IdPrefix = 'domain' | 'project' | 'pg' | 'sa' | 'secret' | 'key' | 'ds' | 'job' | 'evt' | 'req';

export function newId(prefix: IdPrefix): string {
  return `${prefix}-${randomBytes(8).toString('hex')}`;
}

export function hasPrefix(id: string, prefix: IdPrefix): boolean {
  return id.startsWith(`${prefix}-`) && id.length > prefix.length + 1;
}
