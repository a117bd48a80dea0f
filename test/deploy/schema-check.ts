import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { K8sObject } from './k8s-object';

/**
 * Validates objects against their Kubernetes OpenAPI schema with kubernetes-models. That package is
 * ESM only, which jest's CommonJS runtime cannot load, so a plain Node child process does it.
 * Returns one message per invalid object (an unknown kind is a problem too).
 */
export function schemaProblems(objects: K8sObject[]): string[] {
  const script = `
    import { readFileSync, existsSync } from 'node:fs';
    import { pathToFileURL } from 'node:url';
    const root = ${JSON.stringify(join(process.cwd(), 'node_modules', 'kubernetes-models'))};
    const problems = [];
    for (const o of JSON.parse(readFileSync(0, 'utf8'))) {
      const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : [undefined, o.apiVersion];
      const file = group ? root + '/' + group + '/' + version + '/' + o.kind + '.js' : root + '/' + version + '/' + o.kind + '.js';
      const label = o.kind + '/' + o.metadata.name;
      if (!existsSync(file)) { problems.push(label + ': no schema for ' + o.apiVersion + ' ' + o.kind); continue; }
      const Model = (await import(pathToFileURL(file).href))[o.kind];
      try { new Model(o).validate(); } catch (err) { problems.push(label + ': ' + err.message); }
    }
    process.stdout.write(JSON.stringify(problems));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { input: JSON.stringify(objects), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`schema validation failed to run: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

