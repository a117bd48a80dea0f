import { assertDocument, assertDocuments, assertFilter, assertGroupSpec, assertPaging, assertReplacement, assertUpdate } from '../input-guards';
import type { Collection, Doc, Filter, FindOptions, GroupSpec, Update } from '../port';
import { applyUpdate } from './apply-update';
import { cloneIn, cloneOut } from './clone-value';
import type { DocView, OpContext } from './doc-view';
import { compileFilter, equalityLookups } from './filter-match';
import { groupDocs } from './group-docs';
import { projectDoc, projectionTree } from './project-doc';
import { sortDocs } from './sort-docs';

/** A document as stored: a normalised deep copy with _id first, as MongoDB keeps it. */
function toStored(doc: Doc): Doc {
  const copy = cloneIn(doc) as Doc;
  if (Object.keys(copy)[0] === '_id') return copy;
  const { _id, ...rest } = copy;
  return { _id, ...rest };
}

/**
 * The port's collection operations over a view. Each runs synchronously inside ctx.run, so
 * it is atomic; documents are copied in and out.
 */
export class EmbeddedCollection<T extends Doc> implements Collection<T> {
  constructor(
    private readonly name: string,
    private readonly ctx: OpContext,
  ) {}

  private *matches(view: DocView, filter: Filter): Iterable<Doc> {
    assertFilter(filter, this.name);
    const predicate = compileFilter(filter);
    for (const doc of view.candidates(equalityLookups(filter))) if (predicate(doc)) yield doc;
  }

  private first(view: DocView, filter: Filter): Doc | null {
    for (const doc of this.matches(view, filter)) return doc;
    return null;
  }

  async insertOne(doc: T): Promise<void> {
    this.ctx.run(() => {
      assertDocument(doc, this.name);
      this.ctx.view(this.name).insert(toStored(doc));
    });
  }

  async insertMany(docs: readonly T[]): Promise<void> {
    this.ctx.run(() => {
      assertDocuments(docs, this.name);
      this.ctx.view(this.name).insertMany(docs.map(toStored));
    });
  }

  async findOne(filter: Filter): Promise<T | null> {
    return this.ctx.run(() => {
      const view = this.ctx.view(this.name);
      const doc = this.first(view, filter);
      if (!doc) return null;
      view.noteRead(doc);
      return cloneOut(doc) as T;
    });
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    return this.ctx.run(() => {
      const view = this.ctx.view(this.name);
      const { skip, limit } = assertPaging(options);
      const tree = options.projection === undefined ? null : projectionTree(options.projection);
      let docs: Doc[];
      if (!options.sort?.length && limit > 0) {
        docs = [];
        for (const doc of this.matches(view, filter)) {
          docs.push(doc);
          if (docs.length === skip + limit) break;
        }
        docs = docs.slice(skip);
      } else {
        docs = [...this.matches(view, filter)];
        if (options.sort) docs = sortDocs(docs, options.sort);
        docs = docs.slice(skip, limit > 0 ? skip + limit : undefined);
      }
      return docs.map((doc) => {
        view.noteRead(doc);
        return (tree ? projectDoc(doc, tree) : cloneOut(doc)) as T;
      });
    });
  }

  async count(filter: Filter): Promise<number> {
    return this.ctx.run(() => {
      const view = this.ctx.view(this.name);
      assertFilter(filter, this.name);
      if (Object.keys(filter).length === 0) return view.size();
      let n = 0;
      for (const _doc of this.matches(view, filter)) n++;
      return n;
    });
  }

  async updateOne(filter: Filter, update: Update): Promise<number> {
    return this.ctx.run(() => {
      assertUpdate(update, this.name);
      const view = this.ctx.view(this.name);
      const doc = this.first(view, filter);
      if (!doc) return 0;
      view.replace(applyUpdate(doc, update));
      return 1;
    });
  }

  async replaceOne(filter: Filter, replacement: T): Promise<number> {
    return this.ctx.run(() => {
      assertReplacement(replacement, this.name);
      const view = this.ctx.view(this.name);
      const doc = this.first(view, filter);
      if (!doc) return 0;
      const { _id, ...rest } = cloneIn(replacement) as Doc;
      if (_id !== undefined && _id !== doc._id) {
        throw new TypeError(`${this.name}: a replacement may not change _id (${doc._id} to ${_id})`);
      }
      view.replace({ _id: doc._id, ...rest });
      return 1;
    });
  }

  async deleteOne(filter: Filter): Promise<number> {
    return this.ctx.run(() => {
      const view = this.ctx.view(this.name);
      const doc = this.first(view, filter);
      if (!doc) return 0;
      view.remove([doc]);
      return 1;
    });
  }

  async deleteMany(filter: Filter): Promise<number> {
    return this.ctx.run(() => {
      const view = this.ctx.view(this.name);
      const docs = [...this.matches(view, filter)];
      if (docs.length > 0) view.remove(docs);
      return docs.length;
    });
  }

  async group(filter: Filter, spec: GroupSpec): Promise<Record<string, unknown>[]> {
    return this.ctx.run(() => {
      assertGroupSpec(spec);
      return groupDocs(this.matches(this.ctx.view(this.name), filter), spec);
    });
  }
}
