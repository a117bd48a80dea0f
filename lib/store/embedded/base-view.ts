import { DuplicateKeyError, type Doc } from '../port';
import { ID_INDEX } from './collection-state';
import type { DocView } from './doc-view';
import type { EqualityLookup } from './filter-match';
import type { StoreState } from './store-state';

const everyone = () => true;

/** Operations outside a transaction: checked, journaled, then applied at once. */
export class BaseView implements DocView {
  constructor(
    private readonly state: StoreState,
    readonly name: string,
  ) {}

  candidates(lookups: EqualityLookup[]): Iterable<Doc> {
    const c = this.state.get(this.name);
    if (!c) return [];
    return c.lookup(lookups) ?? c.docs.values();
  }

  size(): number {
    return this.state.get(this.name)?.docs.size ?? 0;
  }

  noteRead(): void {}

  insert(doc: Doc): void {
    const c = this.state.ensure(this.name);
    if (c.docs.has(doc._id)) throw new DuplicateKeyError(this.name, ID_INDEX);
    const violated = c.uniqueViolation(doc, everyone);
    if (violated) throw new DuplicateKeyError(this.name, violated);
    this.state.record([{ c: this.name, put: doc }]);
    c.put(doc);
  }

  insertMany(docs: Doc[]): void {
    if (docs.length === 0) return;
    const c = this.state.ensure(this.name);
    const violated = c.batchViolation(docs);
    if (violated) throw new DuplicateKeyError(this.name, violated);
    this.state.record(docs.map((doc) => ({ c: this.name, put: doc })));
    c.putNew(docs);
  }

  replace(next: Doc): void {
    const c = this.state.ensure(this.name);
    const violated = c.uniqueViolation(next, everyone);
    if (violated) throw new DuplicateKeyError(this.name, violated);
    this.state.record([{ c: this.name, put: next }]);
    c.put(next);
  }

  remove(docs: Doc[]): void {
    const c = this.state.ensure(this.name);
    this.state.record(docs.map((doc) => ({ c: this.name, del: doc._id })));
    for (const doc of docs) c.delete(doc._id);
  }
}
