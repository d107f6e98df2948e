/**
 * The part of PouchDB's API that CrackCam uses (pouchdb-browser in the app, pouchdb-node and
 * express-pouchdb for the sync server). Declared here rather than taken from @types/pouchdb-core,
 * whose global `interface Buffer` clashes with Node's own Buffer type. Add members as they are used.
 */
declare namespace PouchDB {
  interface Meta {
    _id: string;
    _rev?: string;
    _deleted?: boolean;
    _conflicts?: string[];
    _attachments?: Record<string, Attachment>;
  }
  /** An attachment as written (`data`) or as read with `attachments: true, binary: true`, or a stub. */
  interface Attachment {
    content_type: string;
    data?: Blob | string;
    stub?: boolean;
    length?: number;
    digest?: string;
  }
  type Doc<T extends object> = T & Meta;
  interface Response {
    ok: boolean;
    id: string;
    rev: string;
  }
  interface ErrorResponse {
    status?: number;
    name?: string;
    message?: string;
    error?: boolean | string;
    reason?: string;
    id?: string;
  }
  interface GetOptions {
    rev?: string;
    conflicts?: boolean;
    attachments?: boolean;
    binary?: boolean;
    revs?: boolean;
    open_revs?: 'all' | string[];
  }
  interface AllDocsOptions {
    include_docs?: boolean;
    conflicts?: boolean;
    attachments?: boolean;
    binary?: boolean;
    startkey?: string;
    endkey?: string;
    keys?: string[];
    limit?: number;
    skip?: number;
    descending?: boolean;
  }
  interface AllDocsResponse<T extends object> {
    total_rows: number;
    offset: number;
    rows: { id: string; key: string; value: { rev: string; deleted?: boolean }; doc?: Doc<T> }[];
  }
  interface ChangesOptions {
    since?: number | string | 'now';
    live?: boolean;
    include_docs?: boolean;
    conflicts?: boolean;
    doc_ids?: string[];
    filter?: string | ((doc: Meta) => boolean);
    selector?: Record<string, unknown>;
    limit?: number;
  }
  interface ChangesResponseChange<T extends object = object> {
    id: string;
    seq: number | string;
    changes: { rev: string }[];
    deleted?: boolean;
    doc?: Doc<T>;
  }
  interface Changes<T extends object = object>
    extends EventEmitterLike, PromiseLike<{ results: ChangesResponseChange<T>[]; last_seq: number | string }> {
    cancel(): void;
  }
  interface EventEmitterLike {
    on(event: string, listener: (...args: never[]) => void): this;
    removeAllListeners(event?: string): this;
  }
  interface ReplicateOptions {
    live?: boolean;
    retry?: boolean;
    batch_size?: number;
    batches_limit?: number;
    doc_ids?: string[];
    filter?: string | ((doc: Meta) => boolean);
    selector?: Record<string, unknown>;
    since?: number | string;
    checkpoint?: false | 'source' | 'target';
    back_off_function?: (delay: number) => number;
    heartbeat?: number | false;
    timeout?: number | false;
  }
  interface SyncOptions extends ReplicateOptions {
    push?: ReplicateOptions;
    pull?: ReplicateOptions;
  }
  interface Replication extends EventEmitterLike, PromiseLike<unknown> {
    cancel(): void;
  }
  /** A two-way sync: its `paused` event carries no error; the push and pull replications' do. */
  interface Sync extends Replication {
    push: Replication;
    pull: Replication;
  }
  interface DatabaseInfo {
    db_name: string;
    doc_count: number;
    update_seq: number | string;
  }
  interface Configuration {
    adapter?: string;
    auto_compaction?: boolean;
    prefix?: string;
    skip_setup?: boolean;
    auth?: { username: string; password: string };
    fetch?: (url: string | Request, opts?: RequestInit) => Promise<Response | globalThis.Response>;
    [option: string]: unknown;
  }
  interface Database<Content extends object = object> {
    readonly name: string;
    info(): Promise<DatabaseInfo>;
    get<T extends object = Content>(id: string, options?: GetOptions): Promise<Doc<T>>;
    put<T extends object = Content>(doc: Doc<T> | (T & { _id: string; _rev?: string })): Promise<Response>;
    post<T extends object = Content>(doc: T): Promise<Response>;
    bulkDocs<T extends object = Content>(
      docs: (Partial<Meta> & T)[],
      options?: { new_edits?: boolean },
    ): Promise<(Response | ErrorResponse)[]>;
    remove(doc: { _id: string; _rev: string }): Promise<Response>;
    remove(id: string, rev: string): Promise<Response>;
    allDocs<T extends object = Content>(options?: AllDocsOptions): Promise<AllDocsResponse<T>>;
    changes<T extends object = Content>(options?: ChangesOptions): Changes<T>;
    getAttachment(id: string, name: string, options?: { rev?: string }): Promise<Blob>;
    putAttachment(id: string, name: string, rev: string, data: Blob, type: string): Promise<Response>;
    removeAttachment(id: string, name: string, rev: string): Promise<Response>;
    sync(remote: string | Database, options?: SyncOptions): Sync;
    replicate: {
      to(target: string | Database, options?: ReplicateOptions): Replication;
      from(source: string | Database, options?: ReplicateOptions): Replication;
    };
    compact(): Promise<unknown>;
    close(): Promise<void>;
    destroy(): Promise<void>;
  }
  interface Static {
    new <Content extends object = object>(name: string, options?: Configuration): Database<Content>;
    plugin(plugin: unknown): Static;
    defaults(options: Configuration): Static;
  }
}

declare module 'pouchdb-browser' {
  const PouchDB: PouchDB.Static;
  export default PouchDB;
}
declare module 'pouchdb-node' {
  const PouchDB: PouchDB.Static;
  export default PouchDB;
}
declare module 'pouchdb-adapter-memory' {
  const plugin: unknown;
  export default plugin;
}
declare module 'express-pouchdb' {
  /** The CouchDB HTTP API over a PouchDB constructor, as Express/Connect middleware. */
  function expressPouchDB(
    PouchDB: PouchDB.Static,
    options?: {
      mode?: 'fullCouchDB' | 'minimumForPouchDB' | 'custom';
      inMemoryConfig?: boolean;
      configPath?: string;
      logPath?: string;
    },
  ): (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
  export default expressPouchDB;
}
