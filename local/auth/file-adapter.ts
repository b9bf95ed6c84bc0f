import type { Adapter, AdapterPayload } from 'oidc-provider';
import { readJson, writeJson } from './json-file';

/**
 * oidc-provider's storage (sessions, interactions, grants, authorization codes, refresh tokens) in one file of the
 * stack's data folder, so a signed-in browser and its refresh tokens survive a restart. Expired entries are dropped
 * when read and when the file is written. One stack owns a data folder (stack.lock), so nothing else writes it.
 */
interface Entry {
  payload: AdapterPayload;
  /** Epoch milliseconds; absent for entries that never expire. */
  expiresAt?: number;
}

export interface AdapterStore {
  adapter: new (model: string) => Adapter;
}

export function fileAdapter(file: string, now: () => number = Date.now): AdapterStore {
  const entries = new Map<string, Entry>(Object.entries(readJson<Record<string, Entry>>(file, {})));
  const live = (entry: Entry | undefined) =>
    entry && (entry.expiresAt === undefined || entry.expiresAt > now()) ? entry : undefined;
  const save = () => {
    for (const [key, entry] of entries) if (!live(entry)) entries.delete(key);
    writeJson(file, Object.fromEntries(entries));
  };
  const findWhere = (model: string, test: (payload: AdapterPayload) => boolean) => {
    for (const [key, entry] of entries)
      if (key.startsWith(`${model}:`) && live(entry) && test(entry.payload)) return entry.payload;
    return undefined;
  };

  class FileAdapter implements Adapter {
    constructor(private readonly model: string) {}

    private key(id: string) {
      return `${this.model}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      entries.set(this.key(id), { payload, ...(expiresIn ? { expiresAt: now() + expiresIn * 1000 } : {}) });
      save();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return live(entries.get(this.key(id)))?.payload;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return findWhere(this.model, (payload) => payload.userCode === userCode);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return findWhere(this.model, (payload) => payload.uid === uid);
    }

    async consume(id: string): Promise<void> {
      const entry = entries.get(this.key(id));
      if (!entry) return;
      entry.payload = { ...entry.payload, consumed: Math.floor(now() / 1000) };
      save();
    }

    async destroy(id: string): Promise<void> {
      if (entries.delete(this.key(id))) save();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      let changed = false;
      for (const [key, entry] of entries)
        if (entry.payload.grantId === grantId) changed = entries.delete(key) || changed;
      if (changed) save();
    }
  }
  return { adapter: FileAdapter };
}
