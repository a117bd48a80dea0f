/**
 * gateway: unary calls (ProjectService.Get with an API key) through the gateway against the same
 * calls straight to identity: same client code and options, same concurrency, same count,
 * alternating rounds so both see the same machine.
 */
import * as projectPb from '../gen/tally/identity/v1/project';
import { startTestGateway } from '../test/support/gateway-harness';
import { api } from '../test/support/grpc-clients';
import { startSuite, type Suite } from '../test/support/suite';
import { log, machine, now, round, summary, type BenchOptions, type BenchResult } from './support';

const CONCURRENCY = 16;
const ROUNDS = 3;

type Call = () => Promise<unknown>;

/** `count` calls with `concurrency` in flight; latencies in ms and the wall time. */
async function load(call: Call, count: number, concurrency: number): Promise<{ ms: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = now();
  const worker = async () => {
    while (next < count) {
      next++;
      const t = now();
      await call();
      latencies.push(now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ms: now() - t0, latencies };
}

export async function run(opts: BenchOptions): Promise<BenchResult> {
  const count = opts.size ?? (opts.full ? 20_000 : 5_000);
  let s: Suite | undefined;
  let gw: Awaited<ReturnType<typeof startTestGateway>> | undefined;
  const clients: { close(): void }[] = [];
  try {
    s = await startSuite();
    gw = await startTestGateway(s);
    const d = await s.identity.root.domains.create({ name: 'Bench' });
    const admin = s.identity.as(d.key);
    const project = (await admin.projects.create({ name: 'bench' })).project;
    const direct = api(projectPb, projectPb.ProjectServiceClient, s.identity.address, d.key);
    const viaGateway = api(projectPb, projectPb.ProjectServiceClient, gw.grpcAddress, d.key);
    clients.push(direct, viaGateway);
    const req = { projectId: project.projectId };
    const check = async (c: typeof direct, what: string) => {
      const got = (await c.get(req)).project;
      if (got?.projectId !== project.projectId || got?.name !== 'bench') throw new Error(`gateway: ${what} answered ${JSON.stringify(got)}`);
    };
    await check(direct, 'identity');
    await check(viaGateway, 'the gateway');
    log(`gateway: ${count.toLocaleString()} ProjectService.Get calls per round, concurrency ${CONCURRENCY}, ${ROUNDS} rounds each (warm-up first)`);
    await load(() => direct.get(req), 500, CONCURRENCY);
    await load(() => viaGateway.get(req), 500, CONCURRENCY);

    const directLat: number[] = [];
    const gatewayLat: number[] = [];
    let directMs = 0;
    let gatewayMs = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const a = await load(() => direct.get(req), count, CONCURRENCY);
      const b = await load(() => viaGateway.get(req), count, CONCURRENCY);
      directMs += a.ms;
      gatewayMs += b.ms;
      directLat.push(...a.latencies);
      gatewayLat.push(...b.latencies);
      log(`gateway: round ${r + 1}: direct ${Math.round(count / (a.ms / 1000))} calls/s, gateway ${Math.round(count / (b.ms / 1000))} calls/s`);
    }
    const directRate = Math.round((count * ROUNDS) / (directMs / 1000));
    const gatewayRate = Math.round((count * ROUNDS) / (gatewayMs / 1000));
    const ds = summary(directLat);
    const gs = summary(gatewayLat);
    const ratio = round(gatewayRate / directRate, 3);
    const addedP99 = round(gs.p99 - ds.p99, 3);
    const addedP50 = round(gs.p50 - ds.p50, 3);
    const checks = [{ what: 'throughput gateway / direct', value: ratio, goal: '>= 0.7', met: ratio >= 0.7 }];
    return {
      benchmark: 'gateway',
      date: new Date().toISOString(),
      machine: machine(),
      size: count * ROUNDS,
      ours: gatewayRate,
      reference: directRate,
      speedup: ratio,
      target: 0.7,
      unit: 'calls/s',
      met: checks.every((c) => c.met),
      checks,
      notes: [
        `ProjectService.Get with the domain's API key (identity verifies it directly; the gateway resolves it to a principal and forwards with a signed token), concurrency ${CONCURRENCY}, ${ROUNDS} alternating rounds of ${count} calls each.`,
        `Added latency through the gateway: p50 +${addedP50} ms, p99 +${addedP99} ms.`,
        'Client, gateway, identity and billing all run in one Node process (test harness), so the gateway\'s CPU is taken from the same 2 cores the client and identity use: a stricter setting than separate processes.',
      ],
      raw: { concurrency: CONCURRENCY, rounds: ROUNDS, direct: { callsPerSecond: directRate, latencyMs: ds }, gateway: { callsPerSecond: gatewayRate, latencyMs: gs }, addedP50Ms: addedP50, addedP99Ms: addedP99 },
    };
  } finally {
    for (const c of clients) c.close();
    await gw?.stop();
    await s?.stop();
  }
}
