/** What a downtime and a comment share: a stable integer id, the object they belong to, who wrote them and when. */
export interface ObjectRecord {
  readonly id: number;
  readonly hostname: string;
  /** The service description; the host check's name (HOST_CHECK) for a host's record. */
  readonly check: string;
  readonly author: string;
  readonly comment: string;
  /** When it was made (the command's timestamp), seconds since the epoch. */
  readonly entryTime: number;
}

/**
 * Records (downtimes or comments) by id and by host, with the id counter. Ids are never
 * reused, also after a restart: the counter is persisted with the records (`lastId`), since
 * a GUI may still show a deleted record's id and delete by it.
 */
export class ObjectRecords<T extends ObjectRecord> {
  private readonly byId = new Map<number, T>();
  private readonly byHost = new Map<string, Map<number, T>>();
  private last = 0;
  /** Whether byId's insertion order is id order (new ids only ever grow): then all() needs no sort. */
  private inIdOrder = true;
  private largestInserted = 0;
  private talliedCount = 0;

  /**
   * `tally`: the records to keep a count of as they come and go (by a load, a command or a
   * rollback alike), e.g. downtimes with a trigger. One class for every kind of record, not
   * a subclass: the readers' hot calls (`size`, `of`) stay monomorphic.
   */
  constructor(private readonly tally: (r: T) => boolean = () => false) {}

  /** How many records `tally` approves. */
  get tallied(): number {
    return this.talliedCount;
  }

  get size(): number {
    return this.byId.size;
  }

  /** The highest id handed out so far (0: none). */
  get lastId(): number {
    return this.last;
  }

  /** A fresh id. */
  nextId(): number {
    return ++this.last;
  }

  /** After a load: ids up to `id` are taken. */
  reserve(id: number): void {
    if (id > this.last) this.last = id;
  }

  get(id: number): T | undefined {
    return this.byId.get(id);
  }

  /** Adds a record or replaces the one with its id (which keeps its object). */
  put(r: T): void {
    this.reserve(r.id);
    const before = this.byId.get(r.id);
    if (before === undefined) {
      if (r.id < this.largestInserted) this.inIdOrder = false;
      else this.largestInserted = r.id;
    } else if (this.tally(before)) this.talliedCount--;
    if (this.tally(r)) this.talliedCount++;
    this.byId.set(r.id, r);
    let host = this.byHost.get(r.hostname);
    if (host === undefined) this.byHost.set(r.hostname, (host = new Map<number, T>()));
    host.set(r.id, r);
  }

  delete(id: number): T | undefined {
    const r = this.byId.get(id);
    if (r === undefined) return undefined;
    if (this.tally(r)) this.talliedCount--;
    this.byId.delete(id);
    const host = this.byHost.get(r.hostname);
    host?.delete(id);
    if (host?.size === 0) this.byHost.delete(r.hostname);
    return r;
  }

  /** The records of a host and of its services, by id. */
  ofHost(hostname: string): T[] {
    const host = this.byHost.get(hostname);
    return host === undefined ? [] : [...host.values()].sort(byId);
  }

  /** The records of one host check or service, by id. */
  of(hostname: string, check: string): T[] {
    const host = this.byHost.get(hostname);
    if (host === undefined) return [];
    const out: T[] = [];
    for (const r of host.values()) if (r.check === check) out.push(r);
    return out.sort(byId);
  }

  /** Every record, by id. */
  all(): T[] {
    const all = [...this.byId.values()];
    return this.inIdOrder ? all : all.sort(byId);
  }

  /** Host names that have records, in no particular order. */
  hosts(): IterableIterator<string> {
    return this.byHost.keys();
  }
}

function byId(a: ObjectRecord, b: ObjectRecord): number {
  return a.id - b.id;
}
