/**
 * tf.io's model management over the browser stores (localstorage://, indexeddb://):
 * listModels, removeModel, and copyModel / moveModel between any two URLs sora can load
 * from and save to (file://, a registered router, a browser store...).
 */
import type { ModelArtifactsInfo } from './types.js';
import { getLoadHandler, getSaveHandler } from './router.js';
import {
  INDEXEDDB_SCHEME, INFO_STORE, LOCAL_PREFIX, LOCALSTORAGE_SCHEME, MODEL_STORE, localKeys, openDatabase, storage,
} from './browser.js';

interface ModelStore {
  list(): Promise<Record<string, ModelArtifactsInfo>>;
  remove(path: string): Promise<ModelArtifactsInfo>;
  available(): boolean;
}

function request<T>(r: IDBRequest<T>, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(new Error(`${what}: ${r.error?.message}`));
  });
}

const STORES: Record<string, ModelStore> = {
  localstorage: {
    available: () => (globalThis as { localStorage?: unknown }).localStorage != null,
    async list() {
      const store = storage(LOCALSTORAGE_SCHEME);
      const out: Record<string, ModelArtifactsInfo> = {};
      const prefix = `${LOCAL_PREFIX}/`, suffix = '/info';
      for (let i = 0; i < store.length; i++) {
        const key = store.key(i);
        if (key?.startsWith(prefix) && key.endsWith(suffix)) {
          out[LOCALSTORAGE_SCHEME + key.slice(prefix.length, -suffix.length)] = JSON.parse(store.getItem(key)!);
        }
      }
      return out;
    },
    async remove(path) {
      const store = storage(LOCALSTORAGE_SCHEME + path);
      const keys = localKeys(path);
      const info = store.getItem(keys.info);
      if (info == null) throw new Error(`removeModel: cannot find a model at '${LOCALSTORAGE_SCHEME}${path}'`);
      for (const key of Object.values(keys)) store.removeItem(key);
      return JSON.parse(info) as ModelArtifactsInfo;
    },
  },
  indexeddb: {
    available: () => (globalThis as { indexedDB?: unknown }).indexedDB != null,
    async list() {
      const db = await openDatabase(INDEXEDDB_SCHEME);
      try {
        const records = await request(db.transaction(INFO_STORE, 'readonly').objectStore(INFO_STORE).getAll(), 'listModels');
        return Object.fromEntries((records as { modelPath: string; modelArtifactsInfo: ModelArtifactsInfo }[])
          .map((r) => [INDEXEDDB_SCHEME + r.modelPath, r.modelArtifactsInfo]));
      } finally {
        db.close();
      }
    },
    async remove(path) {
      const url = INDEXEDDB_SCHEME + path;
      const db = await openDatabase(url);
      try {
        const tx = db.transaction([INFO_STORE, MODEL_STORE], 'readwrite');
        const info = await request(tx.objectStore(INFO_STORE).get(path), `removeModel ${url}`) as
          { modelArtifactsInfo: ModelArtifactsInfo } | undefined;
        if (info == null) { tx.abort(); throw new Error(`removeModel: cannot find a model at '${url}'`); }
        tx.objectStore(INFO_STORE).delete(path);
        tx.objectStore(MODEL_STORE).delete(path);
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(new Error(`removeModel ${url}: ${tx.error?.message}`));
        });
        return info.modelArtifactsInfo;
      } finally {
        db.close();
      }
    },
  },
};

function split(fn: string, url: string): [string, string] {
  const m = typeof url === 'string' ? /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/.exec(url) : null;
  if (!m) throw new Error(`${fn}: the URL ${JSON.stringify(url)} has no scheme; expected e.g. 'localstorage://my-model'`);
  return [m[1].toLowerCase(), m[2]];
}

function storeFor(fn: string, url: string): [ModelStore, string] {
  const [scheme, path] = split(fn, url);
  const store = STORES[scheme];
  if (!store) throw new Error(`${fn}: no model store for scheme '${scheme}://'; expected ${Object.keys(STORES).map((s) => `${s}://`).join(' or ')}`);
  return [store, path];
}

/** Every model saved in the browser stores here, by URL, with what saving it stored. */
export async function listModels(): Promise<Record<string, ModelArtifactsInfo>> {
  const out: Record<string, ModelArtifactsInfo> = {};
  for (const store of Object.values(STORES)) if (store.available()) Object.assign(out, await store.list());
  return out;
}

/** Deletes the model at `url` (localstorage:// or indexeddb://); resolves to what it held. */
export async function removeModel(url: string): Promise<ModelArtifactsInfo> {
  const [store, path] = storeFor('removeModel', url);
  return store.remove(path);
}

async function copy(fn: string, sourceURL: string, destURL: string, move: boolean): Promise<ModelArtifactsInfo> {
  split(fn, sourceURL);
  split(fn, destURL);
  if (sourceURL === destURL) throw new Error(`${fn}: the source and destination are the same: '${sourceURL}'`);
  const source = move ? storeFor(fn, sourceURL) : null;
  const artifacts = await getLoadHandler(sourceURL).load();
  const { modelArtifactsInfo } = await getSaveHandler(destURL).save(artifacts);
  if (source) await source[0].remove(source[1]);
  return modelArtifactsInfo;
}

/** Copies a model from one URL to another (any scheme sora loads from to any it saves to). */
export function copyModel(sourceURL: string, destURL: string): Promise<ModelArtifactsInfo> {
  return copy('copyModel', sourceURL, destURL, false);
}

/** Copies, then removes the source (which must be in a browser store). */
export function moveModel(sourceURL: string, destURL: string): Promise<ModelArtifactsInfo> {
  return copy('moveModel', sourceURL, destURL, true);
}
