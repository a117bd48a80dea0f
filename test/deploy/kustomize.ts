import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import YAML from 'yaml';
import { isMap, type Json, type K8sObject } from './k8s-object';
import { strategicMerge } from './strategic-merge';

/**
 * An offline renderer for the subset of kustomize that deploy/k8s uses, so the manifests can be
 * checked without kubectl: resources (files and kustomization folders), patches (strategic merge,
 * from a file or inline, optionally with a kind/name target), images (newName, newTag, digest),
 * namespace, labels (includeSelectors, includeTemplates) and commonLabels, configMapGenerator and
 * secretGenerator (literals, envs, files; content-hash name suffixes and the references to them
 * rewritten; generatorOptions.disableNameSuffixHash). Any other field is an error, so a manifest
 * cannot silently use something the checks do not see.
 */
export interface RenderOptions {
  /** Reads a file; tests use it to stand in for files that are not committed (secrets.env). */
  readFile?: (path: string) => string;
}

const SUPPORTED_FIELDS = new Set([
  'apiVersion', 'kind', 'resources', 'patches', 'images', 'namespace', 'labels', 'commonLabels',
  'configMapGenerator', 'secretGenerator', 'generatorOptions',
]);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume', 'StorageClass', 'IngressClass']);
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

interface Generator {
  name: string;
  literals?: string[];
  envs?: string[];
  files?: string[];
  type?: string;
}
interface ImageRule { name: string; newName?: string; newTag?: string; digest?: string }
interface LabelRule { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }
interface PatchRule { path?: string; patch?: string; target?: { kind?: string; name?: string } }
interface Kustomization {
  resources?: string[];
  patches?: PatchRule[];
  images?: ImageRule[];
  namespace?: string;
  labels?: LabelRule[];
  commonLabels?: Record<string, string>;
  configMapGenerator?: Generator[];
  secretGenerator?: Generator[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
}

export function parseYamlDocuments(text: string, source: string): K8sObject[] {
  return YAML.parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors[0].message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return [];
    if (!isMap(value) || typeof value.kind !== 'string' || !isMap(value.metadata)) throw new Error(`${source}: not a Kubernetes object`);
    return [value as K8sObject];
  });
}

/** Renders the kustomization in dir, like `kustomize build dir`. */
export function renderKustomization(dir: string, options: RenderOptions = {}): K8sObject[] {
  const read = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const file = join(dir, 'kustomization.yaml');
  const k = YAML.parse(read(file)) as Kustomization & Json;
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED_FIELDS.has(key));
  if (unsupported.length) throw new Error(`${file}: the offline renderer does not support ${unsupported.join(', ')}`);

  let objects: K8sObject[] = [];
  for (const resource of k.resources ?? []) {
    const path = resolve(dir, resource);
    if (statSync(path).isDirectory()) objects.push(...renderKustomization(path, options));
    else objects.push(...parseYamlDocuments(read(path), path));
  }

  const generated = [
    ...(k.configMapGenerator ?? []).map((g) => generate('ConfigMap', g, dir, read)),
    ...(k.secretGenerator ?? []).map((g) => generate('Secret', g, dir, read)),
  ];
  objects.push(...generated);

  for (const rule of k.patches ?? []) objects = applyPatch(objects, rule, dir, read);
  for (const rule of k.images ?? []) objects.forEach((o) => setImages(o, rule));
  if (k.commonLabels) objects.forEach((o) => addLabels(o, { pairs: k.commonLabels!, includeSelectors: true }));
  for (const rule of k.labels ?? []) objects.forEach((o) => addLabels(o, rule));
  if (k.namespace) for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;

  if (!k.generatorOptions?.disableNameSuffixHash) renameGenerated(objects, generated);
  return objects;
}

function generate(kind: 'ConfigMap' | 'Secret', g: Generator, dir: string, read: (p: string) => string): K8sObject {
  const data: Record<string, string> = {};
  const put = (key: string, value: string, from: string) => {
    if (key in data) throw new Error(`${kind} ${g.name}: ${key} given twice (${from})`);
    data[key] = value;
  };
  for (const literal of g.literals ?? []) {
    const eq = literal.indexOf('=');
    put(literal.slice(0, eq), literal.slice(eq + 1), 'literals');
  }
  for (const env of g.envs ?? []) {
    for (const line of read(resolve(dir, env)).split('\n')) {
      const trimmed = line.trim();
      if (!trimmed || trimmed.startsWith('#')) continue;
      const eq = trimmed.indexOf('=');
      if (eq < 1) throw new Error(`${env}: not KEY=VALUE: ${trimmed}`);
      put(trimmed.slice(0, eq), trimmed.slice(eq + 1), env);
    }
  }
  for (const file of g.files ?? []) put(basename(file), read(resolve(dir, file)), file);
  const encoded = kind === 'Secret' ? Object.fromEntries(Object.entries(data).map(([key, v]) => [key, Buffer.from(v).toString('base64')])) : data;
  return {
    apiVersion: 'v1',
    kind,
    metadata: { name: g.name },
    ...(kind === 'Secret' ? { type: g.type ?? 'Opaque' } : {}),
    data: encoded,
  };
}

function applyPatch(objects: K8sObject[], rule: PatchRule, dir: string, read: (p: string) => string): K8sObject[] {
  const text = rule.path ? read(resolve(dir, rule.path)) : rule.patch;
  if (!text) throw new Error('a patch needs path or patch');
  const docs = YAML.parseAllDocuments(text).map((d) => d.toJS() as Json);
  let out = objects;
  for (const doc of docs) {
    const meta = (isMap(doc.metadata) ? doc.metadata : {}) as Json;
    const kind = rule.target?.kind ?? doc.kind;
    const name = rule.target?.name ?? meta.name;
    const matches = out.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
    if (!matches.length) throw new Error(`patch ${rule.path ?? '(inline)'}: no ${kind}/${String(name)} to patch`);
    out = out.map((o) => (matches.includes(o) ? (strategicMerge(o, { ...doc, metadata: { ...meta, name: o.metadata.name } }) as K8sObject) : o));
  }
  return out;
}

/** The containers (and init containers) of a workload's pod template or a Pod. */
export function podSpecOf(o: K8sObject): Json | undefined {
  const spec = o.spec as Json | undefined;
  if (!spec) return undefined;
  if (o.kind === 'Pod') return spec;
  if (WORKLOADS.has(o.kind)) return ((spec.template as Json | undefined)?.spec as Json | undefined) ?? undefined;
  if (o.kind === 'CronJob') return (((spec.jobTemplate as Json)?.spec as Json)?.template as Json)?.spec as Json;
  return undefined;
}

export const containersOf = (o: K8sObject): Json[] => {
  const pod = podSpecOf(o);
  return pod ? [...((pod.initContainers as Json[]) ?? []), ...((pod.containers as Json[]) ?? [])] : [];
};

export function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { name: image.slice(0, at), digest: image.slice(at + 1) };
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? { name: image.slice(0, colon), tag: image.slice(colon + 1) } : { name: image };
}

function setImages(o: K8sObject, rule: ImageRule): void {
  for (const c of containersOf(o)) {
    const image = splitImage(String(c.image));
    if (image.name !== rule.name) continue;
    const name = rule.newName ?? image.name;
    if (rule.digest) c.image = `${name}@${rule.digest}`;
    else if (rule.newTag) c.image = `${name}:${rule.newTag}`;
    else c.image = image.digest ? `${name}@${image.digest}` : image.tag ? `${name}:${image.tag}` : name;
  }
}

function addLabels(o: K8sObject, rule: LabelRule): void {
  o.metadata.labels = { ...o.metadata.labels, ...rule.pairs };
  const spec = o.spec as Json | undefined;
  if (!spec) return;
  if (WORKLOADS.has(o.kind) && (rule.includeTemplates || rule.includeSelectors)) {
    const template = spec.template as Json;
    const meta = (template.metadata ??= {}) as Json;
    meta.labels = { ...(meta.labels as Json), ...rule.pairs };
  }
  if (!rule.includeSelectors) return;
  if (o.kind === 'Service') spec.selector = { ...(spec.selector as Json), ...rule.pairs };
  else if (WORKLOADS.has(o.kind)) {
    const selector = (spec.selector ??= {}) as Json;
    selector.matchLabels = { ...(selector.matchLabels as Json), ...rule.pairs };
  }
}

/** Appends a content hash to generated names and rewrites every pod reference to them. */
function renameGenerated(objects: K8sObject[], generated: K8sObject[]): void {
  const renamed: Record<'ConfigMap' | 'Secret', Map<string, string>> = { ConfigMap: new Map(), Secret: new Map() };
  for (const g of generated) {
    const hash = createHash('sha256').update(JSON.stringify([g.kind, g.metadata.name, g.data])).digest('hex').slice(0, 10);
    const name = `${g.metadata.name}-${hash}`;
    renamed[g.kind as 'ConfigMap' | 'Secret'].set(g.metadata.name, name);
    g.metadata.name = name;
  }
  const rewrite = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(rewrite);
    if (!isMap(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const kind = ['configMapRef', 'configMapKeyRef', 'configMap'].includes(key)
        ? 'ConfigMap'
        : ['secretRef', 'secretKeyRef'].includes(key)
          ? 'Secret'
          : undefined;
      if (kind && isMap(value) && typeof value.name === 'string') value.name = renamed[kind].get(value.name) ?? value.name;
      if (key === 'secret' && isMap(value) && typeof value.secretName === 'string') {
        value.secretName = renamed.Secret.get(value.secretName) ?? value.secretName;
      }
      rewrite(value);
    }
  };
  for (const o of objects) {
    const pod = podSpecOf(o);
    if (pod) rewrite(pod);
  }
}
