import type { ConfigSchema } from '../../lib/config/config';
import { isMap, describe, type Json, type K8sObject } from './k8s-object';
import { containersOf, podSpecOf, splitImage } from './kustomize';
import type { EntryPoint } from './service-vars';

/** The rules of our own the rendered manifests must follow (the schema check is separate). */
export type Rule =
  | 'probes'
  | 'probe-ports'
  | 'resources'
  | 'security-context'
  | 'workload-selector'
  | 'service-selector'
  | 'service-ports'
  | 'references'
  | 'env-accepted'
  | 'env-required'
  | 'entry-point'
  | 'image-tag'
  | 'bind-address'
  | 'scaling-targets';

export interface Problem {
  rule: Rule;
  where: string;
  message: string;
}

type Labels = Record<string, string>;

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const ENTRY_POINT = /dist\/(services|plugins)\/[\w-]+\/main\.js/;

const podLabels = (o: K8sObject): Labels => (((o.spec as Json).template as Json)?.metadata as Json)?.labels as Labels ?? {};
const matches = (selector: Labels | undefined, labels: Labels): boolean =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const portsOf = (c: Json): Json[] => (c.ports as Json[] | undefined) ?? [];
const hasPort = (containers: Json[], port: unknown): boolean =>
  containers.some((c) => portsOf(c).some((p) => p.name === port || p.containerPort === port));

/** Checks the rendered objects; entryPoints says which variables each Tally command accepts. */
export function checkRules(objects: K8sObject[], entryPoints: Record<string, EntryPoint>): Problem[] {
  const problems: Problem[] = [];
  const report = (rule: Rule, where: string, message: string) => problems.push({ rule, where, message });
  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
  const configMaps = new Map(objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o]));
  const secrets = new Map(objects.filter((o) => o.kind === 'Secret').map((o) => [o.metadata.name, o]));
  const keysOf = (o: K8sObject | undefined): string[] => (o ? [...Object.keys((o.data as Json) ?? {}), ...Object.keys((o.stringData as Json) ?? {})] : []);

  for (const w of workloads) {
    const where = describe(w);
    const spec = w.spec as Json;
    const pod = podSpecOf(w) ?? {};
    const selector = (spec.selector as Json | undefined)?.matchLabels as Labels | undefined;
    if (!matches(selector, podLabels(w))) report('workload-selector', where, 'spec.selector.matchLabels is empty or does not match the pod template labels');

    const podSecurity = (pod.securityContext as Json | undefined) ?? {};
    for (const c of (pod.containers as Json[]) ?? []) {
      const at = `${where} container ${String(c.name)}`;
      checkProbes(c, at, report);
      checkResources(c, at, report);
      checkSecurity(c, podSecurity, at, report);
      checkImage(c, at, report);
      checkReferences(c, pod, at, configMaps, secrets, keysOf, report);
      checkEnv(c, at, entryPoints, configMaps, secrets, keysOf, report);
    }
  }

  for (const s of objects.filter((o) => o.kind === 'Service')) {
    const spec = s.spec as Json;
    const selector = spec.selector as Labels | undefined;
    const targets = workloads.filter((w) => matches(selector, podLabels(w)));
    if (!targets.length) {
      report('service-selector', describe(s), `selector ${JSON.stringify(selector)} matches no workload's pods`);
      continue;
    }
    for (const port of (spec.ports as Json[]) ?? []) {
      const target = port.targetPort ?? port.port;
      for (const w of targets) {
        if (!hasPort(containersOf(w), target)) report('service-ports', describe(s), `targetPort ${String(target)} is not a port of ${describe(w)}`);
      }
    }
  }

  for (const o of objects.filter((x) => x.kind === 'HorizontalPodAutoscaler')) {
    const ref = (o.spec as Json).scaleTargetRef as Json;
    if (!workloads.some((w) => w.kind === ref.kind && w.metadata.name === ref.name)) report('scaling-targets', describe(o), `scales ${String(ref.kind)}/${String(ref.name)}, which does not exist`);
  }
  for (const o of objects.filter((x) => x.kind === 'PodDisruptionBudget')) {
    const selector = ((o.spec as Json).selector as Json)?.matchLabels as Labels | undefined;
    if (!workloads.some((w) => matches(selector, podLabels(w)))) report('scaling-targets', describe(o), 'selects no workload\'s pods');
  }
  return problems;
}

type Report = (rule: Rule, where: string, message: string) => void;

function checkProbes(c: Json, at: string, report: Report): void {
  for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    const probe = c[kind] as Json | undefined;
    if (!probe) {
      report('probes', at, `has no ${kind}`);
      continue;
    }
    const port = (probe.grpc as Json | undefined)?.port ?? (probe.httpGet as Json | undefined)?.port ?? (probe.tcpSocket as Json | undefined)?.port;
    if (port !== undefined && !hasPort([c], port)) report('probe-ports', at, `${kind} uses port ${String(port)}, which the container does not declare`);
  }
}

function checkResources(c: Json, at: string, report: Report): void {
  const resources = (c.resources as Json | undefined) ?? {};
  for (const bound of ['requests', 'limits']) {
    for (const resource of ['cpu', 'memory']) {
      if (!isMap(resources[bound]) || (resources[bound] as Json)[resource] === undefined) report('resources', at, `has no ${bound}.${resource}`);
    }
  }
}

function checkSecurity(c: Json, pod: Json, at: string, report: Report): void {
  const own = (c.securityContext as Json | undefined) ?? {};
  const effective = (key: string): unknown => own[key] ?? pod[key];
  if (effective('runAsNonRoot') !== true) report('security-context', at, 'runAsNonRoot is not true');
  const uid = effective('runAsUser');
  if (typeof uid !== 'number' || !Number.isInteger(uid) || uid <= 0) report('security-context', at, 'runAsUser is not a numeric non-root uid');
  if (own.readOnlyRootFilesystem !== true) report('security-context', at, 'readOnlyRootFilesystem is not true');
  if (own.allowPrivilegeEscalation !== false) report('security-context', at, 'allowPrivilegeEscalation is not false');
  if (own.privileged === true) report('security-context', at, 'is privileged');
  const drop = ((own.capabilities as Json | undefined)?.drop as string[] | undefined) ?? [];
  if (!drop.includes('ALL')) report('security-context', at, 'capabilities do not drop ALL');
  if (((effective('seccompProfile') as Json | undefined)?.type) !== 'RuntimeDefault') report('security-context', at, 'seccompProfile is not RuntimeDefault');
}

function checkImage(c: Json, at: string, report: Report): void {
  const image = splitImage(String(c.image ?? ''));
  if (image.digest) return;
  if (!image.tag) report('image-tag', at, `image ${String(c.image)} has no tag`);
  else if (image.tag === 'latest') report('image-tag', at, `image ${String(c.image)} uses the latest tag`);
}

type KeysOf = (o: K8sObject | undefined) => string[];

function checkReferences(c: Json, pod: Json, at: string, configMaps: Map<string, K8sObject>, secrets: Map<string, K8sObject>, keysOf: KeysOf, report: Report): void {
  const lookup = (kind: 'ConfigMap' | 'Secret', ref: Json, key?: string) => {
    if (ref.optional === true) return;
    const o = (kind === 'ConfigMap' ? configMaps : secrets).get(String(ref.name));
    if (!o) report('references', at, `refers to ${kind} ${String(ref.name)}, which is not rendered`);
    else if (key !== undefined && !keysOf(o).includes(key)) report('references', at, `refers to key ${key} of ${kind} ${String(ref.name)}, which has no such key`);
  };
  for (const from of (c.envFrom as Json[]) ?? []) {
    if (from.configMapRef) lookup('ConfigMap', from.configMapRef as Json);
    if (from.secretRef) lookup('Secret', from.secretRef as Json);
  }
  for (const env of (c.env as Json[]) ?? []) {
    const valueFrom = env.valueFrom as Json | undefined;
    if (valueFrom?.configMapKeyRef) lookup('ConfigMap', valueFrom.configMapKeyRef as Json, String((valueFrom.configMapKeyRef as Json).key));
    if (valueFrom?.secretKeyRef) lookup('Secret', valueFrom.secretKeyRef as Json, String((valueFrom.secretKeyRef as Json).key));
  }
  for (const volume of (pod.volumes as Json[]) ?? []) {
    if (volume.configMap) lookup('ConfigMap', volume.configMap as Json);
    if (volume.secret) lookup('Secret', { name: (volume.secret as Json).secretName, optional: (volume.secret as Json).optional });
  }
}

/** The variables a container gets: env entries that resolve, and every key of its envFrom maps. */
function envOf(c: Json, configMaps: Map<string, K8sObject>, secrets: Map<string, K8sObject>, keysOf: KeysOf): { names: Set<string>; set: Set<string> } {
  const names = new Set<string>();
  const set = new Set<string>();
  for (const from of (c.envFrom as Json[]) ?? []) {
    const ref = (from.configMapRef ?? from.secretRef) as Json | undefined;
    const source = from.configMapRef ? configMaps.get(String(ref?.name)) : secrets.get(String(ref?.name));
    for (const key of keysOf(source)) {
      names.add(`${String(from.prefix ?? '')}${key}`);
      set.add(`${String(from.prefix ?? '')}${key}`);
    }
  }
  for (const env of (c.env as Json[]) ?? []) {
    const name = String(env.name);
    names.add(name);
    const valueFrom = env.valueFrom as Json | undefined;
    const keyRef = (valueFrom?.configMapKeyRef ?? valueFrom?.secretKeyRef) as Json | undefined;
    const source = valueFrom?.configMapKeyRef ? configMaps.get(String(keyRef?.name)) : secrets.get(String(keyRef?.name));
    const resolves = valueFrom === undefined ? env.value !== undefined : keyRef ? keysOf(source).includes(String(keyRef.key)) : true;
    if (resolves) set.add(name);
  }
  return { names, set };
}

function checkEnv(
  c: Json,
  at: string,
  entryPoints: Record<string, EntryPoint>,
  configMaps: Map<string, K8sObject>,
  secrets: Map<string, K8sObject>,
  keysOf: KeysOf,
  report: Report,
): void {
  const command = [...((c.command as string[]) ?? []), ...((c.args as string[]) ?? [])].join(' ');
  const main = ENTRY_POINT.exec(command)?.[0];
  if (!main) return; // not a Tally container (NATS, MongoDB)
  const entry = entryPoints[main];
  if (!entry) {
    report('entry-point', at, `runs ${main}, which is not a known Tally entry point`);
    return;
  }
  if (!entry.vars) return; // entry.skipped says why; the test prints it
  const vars: ConfigSchema = entry.vars;
  const { names, set } = envOf(c, configMaps, secrets, keysOf);
  for (const name of names) if (!(name in vars)) report('env-accepted', at, `sets ${name}, which ${main} does not accept`);
  for (const [name, spec] of Object.entries(vars)) {
    if (spec.required && !set.has(name)) report('env-required', at, `does not set ${name}, which ${main} requires`);
    // Bind addresses default to loopback: in a pod that is unreachable from the Service.
    if (name.endsWith('_HOST') && valueOf(c, name, configMaps) !== '0.0.0.0') report('bind-address', at, `${name} is not 0.0.0.0`);
  }
}

/** A variable's literal value (env value, or a ConfigMap key through envFrom); env wins. */
function valueOf(c: Json, name: string, configMaps: Map<string, K8sObject>): string | undefined {
  const env = ((c.env as Json[]) ?? []).find((e) => e.name === name);
  if (env) return typeof env.value === 'string' ? env.value : undefined;
  let value: string | undefined;
  for (const from of (c.envFrom as Json[]) ?? []) {
    const data = (configMaps.get(String((from.configMapRef as Json | undefined)?.name))?.data as Json | undefined) ?? {};
    if (typeof data[name] === 'string') value = data[name] as string;
  }
  return value;
}
