import { isMap, type Json } from './k8s-object';

/**
 * The part of Kubernetes' strategic merge patch our overlays use: maps merge key by key, lists of
 * objects that have a `name` (containers, env, ports, volumes, volumeMounts) merge item by item by
 * name, other lists are replaced, `null` deletes a key and `$patch: delete` removes a named item.
 */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (isMap(target) && isMap(patch)) {
    const out: Json = { ...target };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete out[key];
      else out[key] = key in out ? strategicMerge(out[key], value) : value;
    }
    return out;
  }
  if (Array.isArray(target) && Array.isArray(patch) && isNamedList(target) && isNamedList(patch)) {
    const out = target.map((item) => ({ ...item })) as Json[];
    for (const item of patch as Json[]) {
      const at = out.findIndex((t) => t.name === item.name);
      if (item.$patch === 'delete') {
        if (at >= 0) out.splice(at, 1);
      } else if (at >= 0) out[at] = strategicMerge(out[at], item) as Json;
      else out.push(item);
    }
    return out;
  }
  return patch;
}

const isNamedList = (list: unknown[]): boolean => list.every((item) => isMap(item) && typeof item.name === 'string');
