import type { Delivery, Handler } from '../port';

/** A handler that records what it receives; `fail` decides, per delivery, whether it throws. */
export function recorder(fail: (d: Delivery) => boolean = () => false): { handler: Handler; seen: Delivery[]; ids: () => string[] } {
  const seen: Delivery[] = [];
  return {
    seen,
    ids: () => seen.map((d) => d.id),
    handler: async (d) => {
      seen.push(d);
      if (fail(d)) throw new Error(`handler refused ${d.id} (delivery ${d.deliveryCount})`);
    },
  };
}
