/** Runs async sections one at a time, in the order they asked. */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  async run<R>(section: () => Promise<R>): Promise<R> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await section();
    } finally {
      release();
    }
  }
}
