/** A Kubernetes object as parsed from YAML: only the fields every object has are typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export type Json = Record<string, unknown>;

export const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where an object came from, for messages: `Deployment/billing`. */
export const describe = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;
