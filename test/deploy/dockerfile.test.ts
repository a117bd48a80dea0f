import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** deploy/Dockerfile cannot be built here (no Docker engine): its rules are checked as text. */
const text = readFileSync(join(__dirname, '..', '..', 'deploy', 'Dockerfile'), 'utf8');
const instructions = text
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = instructions.filter((l) => /^FROM /i.test(l));
const runtime = instructions.slice(instructions.findIndex((l) => / AS runtime$/i.test(l)));

describe('deploy/Dockerfile', () => {
  it('builds from a pinned Node 22 image, never latest', () => {
    expect(text).toMatch(/^ARG NODE_IMAGE=node:22\.\d+\.\d+-[\w-]+$/m);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const from of stages) expect(from).toMatch(/^FROM \$\{NODE_IMAGE\} AS \w[\w-]*$/);
  });

  it('compiles with npm ci and make build, and ships production dependencies only', () => {
    expect(instructions).toContain('RUN npm ci --no-audit --no-fund');
    expect(instructions).toContain('RUN make build');
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(runtime.filter((l) => /^COPY --from=build /.test(l))).toEqual([expect.stringContaining('/src/dist ./dist')]);
  });

  it('runs as a numeric non-root user, node as the entry point, TALLY_GRPC_HOST on all interfaces', () => {
    const user = runtime.filter((l) => l.startsWith('USER '));
    expect(user).toEqual([expect.stringMatching(/^USER [1-9]\d*:[1-9]\d*$/)]);
    expect(runtime).toContain('ENTRYPOINT ["node", "--enable-source-maps"]');
    expect(runtime.join('\n')).toContain('TALLY_GRPC_HOST=0.0.0.0');
    expect(runtime.some((l) => l.startsWith('EXPOSE '))).toBe(true);
  });

  it('gives the runtime user no write access to the code', () => {
    for (const copy of runtime.filter((l) => l.startsWith('COPY '))) expect(copy).toContain('--chown=root:root');
  });
});
