/**
 * gateway: unary calls (ProjectService.Get with an API key) through the gateway against the same
 * calls straight to identity: same client code and options, same concurrency, same count,
 * alternating rounds so both see the same machine.
 *
 * Three processes, as deployed: the back ends (identity + billing, bench/gateway-backends.ts) in
 * one child, the gateway (bench/gateway-proxy.ts) in another, the load client here. Direct is
 * client -> identity; through the gateway is client -> gateway -> identity.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import * as projectPb from '../gen/tally/identity/v1/project';
import { api } from '../test/support/grpc-clients';
import { forkChild, kill, type BackendsReady, type GatewayReady } from './gateway-child';
import { log, machine, now, round, summary, type BenchOptions, type BenchResult } from './support';

const CONCURRENCY = 16;
const ROUNDS = 5;

type Call = () => Promise<unknown>;

/** CPU time (user + system, ms) a child process has used, from /proc (Linux); NaN elsewhere. */
function childCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in 1/100 s (USER_HZ)
  } catch {
    return NaN;
  }
}

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
  const children: ChildProcess[] = [];
  const clients: { close(): void }[] = [];
  try {
    const backends = (await forkChild<BackendsReady>('gateway-backends', {}, children)).ready;
    const gw = (
      await forkChild<GatewayReady>(
        'gateway-proxy',
        {
          TALLY_INTERNAL_TOKEN_SECRET: backends.internalSecret,
          TALLY_IDENTITY_ENDPOINT: backends.identityAddress,
          TALLY_BILLING_ENDPOINT: backends.billingAddress,
          TALLY_GATEWAY_GRPC_PORT: '0',
          TALLY_GATEWAY_HTTP_PORT: '0',
          TALLY_SHUTDOWN_GRACE_MS: '1000',
          TALLY_LOG_LEVEL: 'warn',
        },
        children,
      )
    ).ready;
    const direct = api(projectPb, projectPb.ProjectServiceClient, backends.identityAddress, backends.key);
    const viaGateway = api(projectPb, projectPb.ProjectServiceClient, `127.0.0.1:${gw.grpcPort}`, backends.key);
    clients.push(direct, viaGateway);
    const req = { projectId: backends.projectId };
    const check = async (c: typeof direct, what: string) => {
      const got = (await c.get(req)).project;
      if (got?.projectId !== backends.projectId || got?.name !== 'bench') throw new Error(`gateway: ${what} answered ${JSON.stringify(got)}`);
    };
    await check(direct, 'identity');
    await check(viaGateway, 'the gateway');
    log(`gateway: ${count.toLocaleString()} ProjectService.Get calls per round, concurrency ${CONCURRENCY}, ${ROUNDS} rounds each (warm-up first)`);
    // A full round each first: V8 optimizes the hot paths of all three processes over the first
    // few thousand calls, and the figures are of the steady state.
    await load(() => direct.get(req), count, CONCURRENCY);
    await load(() => viaGateway.get(req), count, CONCURRENCY);

    const directLat: number[] = [];
    const gatewayLat: number[] = [];
    let directMs = 0;
    let gatewayMs = 0;
    const roundsCallsPerSecond: { direct: number; gateway: number }[] = [];
    // CPU ms per call spent in each process, per path: where the cores go.
    const cpu = { direct: { client: 0, backends: 0, gateway: 0 }, gateway: { client: 0, backends: 0, gateway: 0 } };
    // The gateway's CPU ms per proxied call in each round (the first one still pays for V8's optimizing compiler).
    const roundsGatewayCpuMsPerCall: number[] = [];
    const sample = () => ({ client: process.cpuUsage(), backends: childCpuMs(children[0].pid), gateway: childCpuMs(children[1].pid) });
    const timed = async (path: 'direct' | 'gateway', call: Call) => {
      const s0 = sample();
      const res = await load(call, count, CONCURRENCY);
      const c = process.cpuUsage(s0.client);
      cpu[path].client += (c.user + c.system) / 1000;
      cpu[path].backends += childCpuMs(children[0].pid) - s0.backends;
      const gatewayCpuMs = childCpuMs(children[1].pid) - s0.gateway;
      cpu[path].gateway += gatewayCpuMs;
      if (path === 'gateway') roundsGatewayCpuMsPerCall.push(round(gatewayCpuMs / count, 3));
      return res;
    };
    for (let r = 0; r < ROUNDS; r++) {
      const a = await timed('direct', () => direct.get(req));
      const b = await timed('gateway', () => viaGateway.get(req));
      directMs += a.ms;
      gatewayMs += b.ms;
      directLat.push(...a.latencies);
      gatewayLat.push(...b.latencies);
      roundsCallsPerSecond.push({ direct: Math.round(count / (a.ms / 1000)), gateway: Math.round(count / (b.ms / 1000)) });
      log(`gateway: round ${r + 1}: direct ${roundsCallsPerSecond[r].direct} calls/s, gateway ${roundsCallsPerSecond[r].gateway} calls/s`);
    }
    const perCall = (x: { client: number; backends: number; gateway: number }) => ({
      client: round(x.client / (count * ROUNDS), 3),
      backends: round(x.backends / (count * ROUNDS), 3),
      gateway: round(x.gateway / (count * ROUNDS), 3),
    });
    const cpuMsPerCall = { direct: perCall(cpu.direct), gateway: perCall(cpu.gateway) };
    log(`gateway: CPU ms per call (client / backends / gateway): direct ${Object.values(cpuMsPerCall.direct).join(' / ')}, through the gateway ${Object.values(cpuMsPerCall.gateway).join(' / ')}`);
    log(`gateway: the gateway's CPU ms per proxied call by round: ${roundsGatewayCpuMsPerCall.join(' / ')}`);
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
        `Three Node processes as deployed: identity + billing (one child), the gateway (another child), the load client (this process); ${cpus().length} cores shared by the three, so on a small machine the gateway's CPU still competes with the client's and identity's.`,
      ],
      raw: { processes: { backends: 'identity + billing', gateway: 'gateway', client: 'load client' }, cores: cpus().length, concurrency: CONCURRENCY, rounds: ROUNDS, roundsCallsPerSecond, cpuMsPerCall, roundsGatewayCpuMsPerCall, direct: { callsPerSecond: directRate, latencyMs: ds }, gateway: { callsPerSecond: gatewayRate, latencyMs: gs }, addedP50Ms: addedP50, addedP99Ms: addedP99 },
    };
  } finally {
    for (const c of clients) c.close();
    await Promise.all(children.map((c) => kill(c)));
  }
}
