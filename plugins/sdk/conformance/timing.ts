export type Outcome<T> = { settled: true; value: T } | { settled: true; error: unknown } | { settled: false };

/** Waits for the promise at most `ms`; says which happened. Never leaves a timer behind. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ settled: false }>((resolve) => {
    timer = setTimeout(() => resolve({ settled: false }), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ settled: true as const, value }), (error: unknown) => ({ settled: true as const, error })), late]);
  } finally {
    clearTimeout(timer);
  }
}

export const elapsedMs = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;
