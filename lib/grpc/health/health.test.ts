import { credentials, Server, ServerCredentials, status, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { addHealth, dependencyWatcher, healthClientConstructor, HealthService } from './index';

interface HealthClient extends Client {
  Check(req: { service: string }, cb: (err: ServiceError | null, res?: { status: string }) => void): void;
  List(req: object, cb: (err: ServiceError | null, res?: { statuses: Record<string, { status: string }> }) => void): void;
  Watch(req: { service: string }): ClientReadableStream<{ status: string }>;
}

let server: Server;
let client: HealthClient;
let health: HealthService;

beforeEach(async () => {
  health = new HealthService();
  server = new Server();
  addHealth(server, health);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const Health = healthClientConstructor();
  client = new Health(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as HealthClient;
});

afterEach(async () => {
  client.close();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
});

const check = (service: string) =>
  new Promise<string>((resolve, reject) =>
    client.Check({ service }, (err, res) => (err ? reject(err) : resolve(res!.status))),
  );

/** Collects what a Watch stream sends until it ends or `count` messages arrived. */
function watch(service: string) {
  const call = client.Watch({ service });
  const seen: string[] = [];
  let ended = false;
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  call.on('data', (m: { status: string }) => {
    seen.push(m.status);
    wake();
  });
  call.on('end', () => {
    ended = true;
    wake();
  });
  call.on('error', () => undefined);
  const until = (pred: () => boolean) =>
    new Promise<void>((resolve) => {
      const tick = () => (pred() ? resolve() : waiters.push(tick));
      tick();
    });
  return { call, seen, ended: () => ended, count: (n: number) => until(() => seen.length >= n), end: () => until(() => ended) };
}

describe('grpc.health.v1.Health', () => {
  it('answers Check for the server as a whole and for a named service', async () => {
    expect(await check('')).toBe('SERVING');
    health.setStatus('tally.identity.v1.AuthService', 'NOT_SERVING');
    expect(await check('tally.identity.v1.AuthService')).toBe('NOT_SERVING');
    health.setStatus('tally.identity.v1.AuthService', 'SERVING');
    expect(await check('tally.identity.v1.AuthService')).toBe('SERVING');
  });

  it('answers NOT_FOUND for an unknown service on Check', async () => {
    await expect(check('no.such.Service')).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('lists every service with its status', async () => {
    health.setStatus('a.B', 'NOT_SERVING');
    const res = await new Promise<{ statuses: Record<string, { status: string }> }>((resolve, reject) =>
      client.List({}, (err, r) => (err ? reject(err) : resolve(r!))),
    );
    expect(res.statuses).toEqual({ '': { status: 'SERVING' }, 'a.B': { status: 'NOT_SERVING' } });
  });

  it('streams the current status, then each change once, on Watch', async () => {
    const w = watch('');
    await w.count(1);
    health.setStatus('', 'SERVING'); // no change: not sent again
    health.setStatus('', 'NOT_SERVING');
    health.setStatus('', 'SERVING');
    await w.count(3);
    expect(w.seen).toEqual(['SERVING', 'NOT_SERVING', 'SERVING']);
    w.call.cancel();
  });

  it('sends SERVICE_UNKNOWN for an unknown service on Watch, then its status once it is set', async () => {
    const w = watch('tally.billing.v1.CostService');
    await w.count(1);
    expect(w.seen).toEqual(['SERVICE_UNKNOWN']);
    health.setStatus('tally.billing.v1.CostService', 'SERVING');
    await w.count(2);
    expect(w.seen).toEqual(['SERVICE_UNKNOWN', 'SERVING']);
    w.call.cancel();
  });

  it('on shutdown sets everything NOT_SERVING, ends watches and ignores later updates', async () => {
    health.setStatus('a.B', 'SERVING');
    const overall = watch('');
    const named = watch('a.B');
    await overall.count(1);
    await named.count(1);
    health.shutdown();
    await overall.end();
    await named.end();
    expect(overall.seen).toEqual(['SERVING', 'NOT_SERVING']);
    expect(named.seen).toEqual(['SERVING', 'NOT_SERVING']);
    health.setStatus('', 'SERVING');
    expect(await check('')).toBe('NOT_SERVING');
    expect(await check('a.B')).toBe('NOT_SERVING');
    const late = watch('');
    await late.end();
    expect(late.seen).toEqual(['NOT_SERVING']);
  });
});

describe('dependencyWatcher', () => {
  it('keeps the server NOT_SERVING while a dependency is down and SERVING once it is back', async () => {
    let natsUp = true;
    const changes: string[][] = [];
    const watcher = dependencyWatcher(
      health,
      [
        { name: 'nats', check: async () => natsUp },
        { name: 'store', check: async () => true },
      ],
      { intervalMs: 10, onChange: (down) => changes.push(down) },
    );
    try {
      const w = watch('');
      await w.count(1);
      natsUp = false;
      await w.count(2);
      expect(await check('')).toBe('NOT_SERVING');
      expect(watcher.down).toEqual(['nats']);
      natsUp = true;
      await w.count(3);
      expect(w.seen).toEqual(['SERVING', 'NOT_SERVING', 'SERVING']);
      expect(changes).toEqual([['nats'], []]);
      w.call.cancel();
    } finally {
      watcher.stop();
    }
  });

  it('counts a check that throws or hangs as down', async () => {
    const watcher = dependencyWatcher(
      health,
      [
        { name: 'throws', check: async () => Promise.reject(new Error('connection refused')) },
        { name: 'hangs', check: () => new Promise<boolean>(() => undefined) },
        { name: 'fine', check: async () => true },
      ],
      { intervalMs: 60_000, timeoutMs: 20 },
    );
    try {
      expect(await watcher.poll()).toEqual(['throws', 'hangs']);
      expect(await check('')).toBe('NOT_SERVING');
    } finally {
      watcher.stop();
    }
  });

  it('does not flip a server back to SERVING after shutdown', async () => {
    const watcher = dependencyWatcher(health, [{ name: 'store', check: async () => true }], { intervalMs: 60_000 });
    try {
      health.shutdown();
      await watcher.poll();
      expect(await check('')).toBe('NOT_SERVING');
    } finally {
      watcher.stop();
    }
  });
});
