import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe as label, type Json, type K8sObject } from './k8s-object';
import { containersOf, renderKustomization } from './kustomize';
import { checkRules, type Rule } from './rules';
import { schemaProblems } from './schema-check';
import { entryPoints } from './service-vars';

const K8S = join(__dirname, '..', '..', 'deploy', 'k8s');
const OVERLAYS = ['dev', 'prod'];

/** Files that are not committed (overlays/prod/secrets.env) are read from their `.example`. */
const readCommittedOrExample = (path: string): string => readFileSync(existsSync(path) ? path : `${path}.example`, 'utf8');
const render = (overlay: string): K8sObject[] => renderKustomization(join(K8S, 'overlays', overlay), { readFile: readCommittedOrExample });
const find = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not rendered`);
  return o;
};
const container = (o: K8sObject): Json => containersOf(o)[0];
const envNamed = (c: Json, name: string): Json => (c.env as Json[]).find((e) => e.name === name)!;

beforeAll(() => {
  for (const [main, entry] of Object.entries(entryPoints())) if (entry.skipped) console.warn(`NOTICE (${main}): ${entry.skipped}`);
});

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  const objects = render(overlay);

  it('renders every Tally workload, its Service, NATS and the Secret', () => {
    for (const name of ['identity', 'billing', 'gateway', 'plugin-hyperbilling', 'plugin-demo']) {
      expect(find(objects, 'Deployment', name).metadata.namespace).toBeDefined();
      find(objects, 'Service', name);
    }
    find(objects, 'StatefulSet', 'nats');
    expect(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual([expect.stringMatching(/^tally-secrets-/)]);
  });

  it('every object is valid against its Kubernetes schema', () => {
    expect(schemaProblems(objects)).toEqual([]);
  });

  it('follows every rule of ours', () => {
    expect(checkRules(objects, entryPoints())).toEqual([]);
  });

  it('pins every image by a tag that is not latest', () => {
    for (const o of objects) for (const c of containersOf(o)) expect(String(c.image)).toMatch(/:(?!latest$)[\w.-]+$|@sha256:/);
  });
});

describe('overlay differences', () => {
  const dev = render('dev');
  const prod = render('prod');

  it('dev runs MongoDB in the cluster; prod uses the external one from the Secret', () => {
    find(dev, 'StatefulSet', 'mongodb');
    expect(prod.some((o) => o.metadata.name === 'mongodb')).toBe(false);
  });

  it('prod adds replicas, autoscaling, disruption budgets, network policies and the Ingress', () => {
    for (const name of ['identity', 'billing', 'gateway', 'plugin-hyperbilling', 'plugin-demo']) {
      expect((find(prod, 'Deployment', name).spec as Json).replicas).toBeGreaterThanOrEqual(2);
      find(prod, 'HorizontalPodAutoscaler', name);
      find(prod, 'PodDisruptionBudget', name);
    }
    const ingresses = prod.filter((o) => o.kind === 'Ingress');
    const backends = ingresses.map((i) => JSON.stringify(i.spec));
    expect(backends.every((b) => b.includes('"name":"gateway"'))).toBe(true);
    expect(ingresses.some((i) => i.metadata.annotations?.['nginx.ingress.kubernetes.io/backend-protocol'] === 'GRPC')).toBe(true);
  });

  it('prod lets only the ingress controller reach the gateway, and only billing reach plugins', () => {
    const policies = prod.filter((o) => o.kind === 'NetworkPolicy');
    const deny = find(prod, 'NetworkPolicy', 'default-deny-ingress').spec as Json;
    expect(deny.podSelector).toEqual({});
    const fromNamespaces = policies.filter((p) => JSON.stringify(p.spec).includes('namespaceSelector'));
    for (const p of fromNamespaces) {
      const target = JSON.stringify((p.spec as Json).podSelector);
      const ports = JSON.stringify((p.spec as Json).ingress);
      // From outside the namespace: the gateway's ports, or metrics scraping only.
      expect(target.includes('gateway') || !/"port":"(grpc|http)"/.test(ports)).toBe(true);
    }
    const plugins = find(prod, 'NetworkPolicy', 'plugins-from-billing').spec as Json;
    expect(JSON.stringify(plugins.ingress)).toContain('"app.kubernetes.io/name":"billing"');
  });
});

/** A deliberately broken copy of the dev overlay: each rule must report what was broken. */
describe('the checks can fail', () => {
  const broken = (): K8sObject[] => structuredClone(render('dev'));
  const rulesHit = (objects: K8sObject[]): Set<Rule> => new Set(checkRules(objects, entryPoints()).map((p) => p.rule));
  const billing = (objects: K8sObject[]) => container(find(objects, 'Deployment', 'billing'));

  it.each<[string, (objects: K8sObject[]) => void, Rule]>([
    ['a missing readiness probe', (o) => delete billing(o).readinessProbe, 'probes'],
    ['a probe on an undeclared port', (o) => ((billing(o).livenessProbe as Json).grpc = { port: 1234 }), 'probe-ports'],
    ['missing limits', (o) => delete (billing(o).resources as Json).limits, 'resources'],
    ['a writable root filesystem', (o) => ((billing(o).securityContext as Json).readOnlyRootFilesystem = false), 'security-context'],
    ['a root user', (o) => ((billing(o).securityContext as Json).runAsUser = 0), 'security-context'],
    ['the latest tag', (o) => (billing(o).image = 'ghcr.io/tally-billing/tally:latest'), 'image-tag'],
    ['an untagged image', (o) => (billing(o).image = 'ghcr.io/tally-billing/tally'), 'image-tag'],
    ['an unknown env var', (o) => (billing(o).env as Json[]).push({ name: 'TALLY_BILING_PORT', value: '1' }), 'env-accepted'],
    ['a required var left out', (o) => (billing(o).env = (billing(o).env as Json[]).filter((e) => e.name !== 'TALLY_INTERNAL_TOKEN_SECRET')), 'env-required'],
    ['a Secret that does not exist', (o) => ((envNamed(billing(o), 'TALLY_MONGO_URL').valueFrom as Json).secretKeyRef = { name: 'nope', key: 'X' }), 'references'],
    ['a loopback bind address', (o) => (billing(o).env as Json[]).push({ name: 'TALLY_GRPC_HOST', value: '127.0.0.1' }), 'bind-address'],
    ['an unknown entry point', (o) => (billing(o).args = ['dist/services/bilsing/main.js']), 'entry-point'],
    ['a selector that misses its pods', (o) => (((find(o, 'Deployment', 'billing').spec as Json).selector as Json).matchLabels = { app: 'x' }), 'workload-selector'],
    ['a Service that selects nothing', (o) => ((find(o, 'Service', 'billing').spec as Json).selector = { 'app.kubernetes.io/name': 'bill' }), 'service-selector'],
    ['a Service port that is not on the pods', (o) => (((find(o, 'Service', 'billing').spec as Json).ports as Json[])[0].targetPort = 'grcp'), 'service-ports'],
  ])('reports %s', (_what, breakIt, rule) => {
    const objects = broken();
    expect(rulesHit(objects)).toEqual(new Set());
    breakIt(objects);
    expect(rulesHit(objects)).toEqual(new Set([rule]));
  });

  it('a plain plugin variable on a service is refused (TALLY_PLUGIN_PORT on identity)', () => {
    const objects = broken();
    (container(find(objects, 'Deployment', 'identity')).env as Json[]).push({ name: 'TALLY_PLUGIN_PORT', value: '1' });
    expect(checkRules(objects, entryPoints())).toEqual([expect.objectContaining({ rule: 'env-accepted', where: 'Deployment/identity container identity' })]);
  });

  it('the schema check reports a wrongly typed field and an unknown kind', () => {
    const objects = broken();
    ((container(find(objects, 'Deployment', 'billing')).ports as Json[])[0].containerPort = 'grpc');
    objects.push({ apiVersion: 'v1', kind: 'Nonsense', metadata: { name: 'x' } });
    const problems = schemaProblems(objects);
    expect(problems).toEqual([expect.stringContaining('Deployment/billing'), expect.stringContaining('Nonsense/x: no schema')]);
    expect(label(objects[0])).toBe('Deployment/identity');
  });

  it('the renderer refuses kustomize fields it does not implement', () => {
    expect(() =>
      renderKustomization('/virtual', { readFile: () => 'resources: []\nreplacements: []\n' }),
    ).toThrow(/does not support replacements/);
  });
});
