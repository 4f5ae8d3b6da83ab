/**
 * Browser stores, laid out exactly as TF.js lays them out, so a model saved by either library
 * loads in the other:
 * - indexeddb://name: database 'tensorflowjs' (version 1), stores 'models_store' and
 *   'model_info_store' keyed by 'modelPath'; the model record holds the artifacts as is.
 * - localstorage://name: keys 'tensorflowjs_models/<name>/{info, model_topology,
 *   weight_specs, weight_data (base64), model_metadata}'.
 * - downloads://name: save only; the browser downloads '<name>.json' and
 *   '<name>.weights.bin' (default name 'model').
 * Whatever a store returns is checked like a file would be before it is used.
 */
import type { LoadHandler, ModelArtifacts, SaveHandler, SaveResult, TrainingConfig } from './types.js';
import { artifactsInfo, checkArtifacts, modelJsonFromArtifacts } from './model-json.js';

export const INDEXEDDB_SCHEME = 'indexeddb://';
export const LOCALSTORAGE_SCHEME = 'localstorage://';
export const DOWNLOADS_SCHEME = 'downloads://';

const DATABASE_NAME = 'tensorflowjs';
const DATABASE_VERSION = 1;
export const MODEL_STORE = 'models_store';
export const INFO_STORE = 'model_info_store';
export const LOCAL_PREFIX = 'tensorflowjs_models';

function nameOf(url: string, scheme: string): string {
  const name = url.startsWith(scheme) ? url.slice(scheme.length) : url;
  if (name.length === 0) throw new Error(`'${url}' names no model; expected e.g. ${scheme}my-model`);
  return name;
}

// ---- IndexedDB ----------------------------------------------------------------------------

export function openDatabase(url: string): Promise<IDBDatabase> {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (factory === undefined) throw new Error(`${url}: this environment has no IndexedDB`);
  return new Promise((resolve, reject) => {
    const request = factory.open(DATABASE_NAME, DATABASE_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(MODEL_STORE)) db.createObjectStore(MODEL_STORE, { keyPath: 'modelPath' });
      if (!db.objectStoreNames.contains(INFO_STORE)) db.createObjectStore(INFO_STORE, { keyPath: 'modelPath' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new Error(`${url}: cannot open IndexedDB: ${request.error?.message}`));
  });
}

/** A SaveHandler that stores a model in the browser's IndexedDB ('indexeddb://name'). */
export function indexedDbSaveHandler(url: string): SaveHandler {
  const modelPath = nameOf(url, INDEXEDDB_SCHEME);
  return {
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      checkArtifacts(artifacts, `saving to ${url}`);
      const modelArtifactsInfo = artifactsInfo(artifacts);
      const db = await openDatabase(url);
      try {
        // One transaction over both stores: the info and the model are written together or not at all.
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction([INFO_STORE, MODEL_STORE], 'readwrite');
          tx.objectStore(INFO_STORE).put({ modelPath, modelArtifactsInfo });
          tx.objectStore(MODEL_STORE).put({ modelPath, modelArtifacts: plainArtifacts(artifacts), modelArtifactsInfo });
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(new Error(`saving to ${url} failed: ${tx.error?.message}`));
          tx.onabort = () => reject(new Error(`saving to ${url} was aborted: ${tx.error?.message ?? 'quota exceeded?'}`));
        });
      } finally {
        db.close();
      }
      return { modelArtifactsInfo };
    },
  };
}

/** A LoadHandler for a model saved in the browser's IndexedDB ('indexeddb://name'). */
export function indexedDbLoadHandler(url: string): LoadHandler {
  const modelPath = nameOf(url, INDEXEDDB_SCHEME);
  return {
    async load(): Promise<ModelArtifacts> {
      const db = await openDatabase(url);
      let record: unknown;
      try {
        record = await new Promise((resolve, reject) => {
          const request = db.transaction(MODEL_STORE, 'readonly').objectStore(MODEL_STORE).get(modelPath);
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(new Error(`loading ${url} failed: ${request.error?.message}`));
        });
      } finally {
        db.close();
      }
      if (record == null) throw new Error(`${url}: no model named '${modelPath}' in IndexedDB`);
      const artifacts = (record as { modelArtifacts?: ModelArtifacts }).modelArtifacts;
      if (artifacts == null) throw new Error(`${url}: the IndexedDB record holds no model artifacts`);
      // Older TF.js records may lack format; TF.js may store weightData as a list of buffers.
      const restored = { ...artifacts, format: artifacts.format ?? 'layers-model' } as ModelArtifacts;
      const data = restored.weightData as ArrayBuffer | ArrayBuffer[];
      if (Array.isArray(data)) restored.weightData = joinBuffers(data);
      checkArtifacts(restored, url);
      return restored;
    },
  };
}

function joinBuffers(buffers: ArrayBuffer[]): ArrayBuffer {
  const total = buffers.reduce((sum, b) => sum + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) { out.set(new Uint8Array(b), offset); offset += b.byteLength; }
  return out.buffer;
}

/** Only the TF.js fields, so nothing uncloneable a caller attached reaches structuredClone. */
function plainArtifacts(artifacts: ModelArtifacts): ModelArtifacts {
  const out: ModelArtifacts = {
    modelTopology: artifacts.modelTopology,
    weightSpecs: artifacts.weightSpecs,
    weightData: artifacts.weightData,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
  };
  if (artifacts.trainingConfig != null) out.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata != null) out.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.signature != null) out.signature = artifacts.signature;
  if (artifacts.modelInitializer != null) out.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) out.initializerSignature = artifacts.initializerSignature;
  return out;
}

// ---- localStorage -------------------------------------------------------------------------

export function storage(url: string): Storage {
  const store = (globalThis as { localStorage?: Storage }).localStorage;
  if (store == null) throw new Error(`${url}: this environment has no localStorage`);
  return store;
}

export function localKeys(modelPath: string) {
  const key = (suffix: string) => [LOCAL_PREFIX, modelPath, suffix].join('/');
  return {
    info: key('info'),
    topology: key('model_topology'),
    weightSpecs: key('weight_specs'),
    weightData: key('weight_data'),
    metadata: key('model_metadata'),
  };
}

/**
 * A SaveHandler that stores a model in the browser's localStorage ('localstorage://name'); the weights are
 * stored as base64, so it suits small models.
 */
export function localStorageSaveHandler(url: string): SaveHandler {
  const keys = localKeys(nameOf(url, LOCALSTORAGE_SCHEME));
  return {
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      checkArtifacts(artifacts, `saving to ${url}`);
      const store = storage(url);
      const modelArtifactsInfo = artifactsInfo(artifacts);
      try {
        store.setItem(keys.info, JSON.stringify(modelArtifactsInfo));
        store.setItem(keys.topology, JSON.stringify(artifacts.modelTopology));
        store.setItem(keys.weightSpecs, JSON.stringify(artifacts.weightSpecs));
        store.setItem(keys.weightData, toBase64(new Uint8Array(artifacts.weightData)));
        store.setItem(keys.metadata, JSON.stringify({
          format: artifacts.format,
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy,
          userDefinedMetadata: artifacts.userDefinedMetadata ?? undefined,
          trainingConfig: artifacts.trainingConfig ?? undefined,
          // TF.js keeps a graph model's signature and initializer in the metadata entry too.
          signature: artifacts.signature ?? undefined,
          modelInitializer: artifacts.modelInitializer ?? undefined,
          initializerSignature: artifacts.initializerSignature ?? undefined,
        }));
      } catch (error) {
        for (const key of Object.values(keys)) store.removeItem(key);
        throw new Error(`saving to ${url} failed (the localStorage quota, often 5 MB, is a likely cause: ` +
          `${modelArtifactsInfo.weightDataBytes} weight bytes take ${Math.ceil(modelArtifactsInfo.weightDataBytes / 3) * 4} ` +
          `as base64): ${(error as Error).message}`, { cause: error });
      }
      return { modelArtifactsInfo };
    },
  };
}

/** A LoadHandler for a model saved in the browser's localStorage ('localstorage://name'). */
export function localStorageLoadHandler(url: string): LoadHandler {
  const modelPath = nameOf(url, LOCALSTORAGE_SCHEME);
  const keys = localKeys(modelPath);
  return {
    async load(): Promise<ModelArtifacts> {
      const store = storage(url);
      const read = (key: string, what: string): unknown => {
        const text = store.getItem(key);
        if (text == null) throw new Error(`${url}: the ${what} of model '${modelPath}' is missing from localStorage`);
        try {
          return JSON.parse(text, (k, v: unknown) => {
            if (k === '__proto__') throw new Error(`a '__proto__' key is not allowed`);
            return v;
          });
        } catch (error) {
          throw new Error(`${url}: the ${what} in localStorage is not valid JSON: ${(error as Error).message}`);
        }
      };
      if (store.getItem(keys.info) == null) throw new Error(`${url}: no model named '${modelPath}' in localStorage`);
      const metadataText = store.getItem(keys.metadata);
      const metadata = (metadataText == null ? {} : read(keys.metadata, 'metadata')) as Partial<ModelArtifacts>;
      const base64 = store.getItem(keys.weightData);
      if (base64 == null) throw new Error(`${url}: the weight data of model '${modelPath}' is missing from localStorage`);
      const artifacts: ModelArtifacts = {
        modelTopology: read(keys.topology, 'topology') as object,
        weightSpecs: read(keys.weightSpecs, 'weight specs') as ModelArtifacts['weightSpecs'],
        weightData: fromBase64(base64, url),
        format: metadata.format ?? 'layers-model',
        generatedBy: metadata.generatedBy ?? 'unknown',
        convertedBy: metadata.convertedBy ?? null,
      };
      if (metadata.trainingConfig != null) artifacts.trainingConfig = metadata.trainingConfig as TrainingConfig;
      if (metadata.userDefinedMetadata != null) artifacts.userDefinedMetadata = metadata.userDefinedMetadata;
      if (metadata.signature != null) artifacts.signature = metadata.signature;
      if (metadata.modelInitializer != null) artifacts.modelInitializer = metadata.modelInitializer;
      if (metadata.initializerSignature != null) artifacts.initializerSignature = metadata.initializerSignature;
      checkArtifacts(artifacts, url);
      return artifacts;
    },
  };
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

function fromBase64(text: string, url: string): ArrayBuffer {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new Error(`${url}: the weight data in localStorage is not valid base64`);
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out.buffer;
}

// ---- downloads ----------------------------------------------------------------------------

/**
 * A SaveHandler that has the browser download 'name.json' and 'name.weights.bin' ('downloads://name');
 * browsers only.
 */
export function downloadsSaveHandler(url: string): SaveHandler {
  const prefix = (url.startsWith(DOWNLOADS_SCHEME) ? url.slice(DOWNLOADS_SCHEME.length) : url) || 'model';
  const jsonName = `${prefix}.json`;
  const weightsName = `${prefix}.weights.bin`;
  return {
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      checkArtifacts(artifacts, `saving to ${url}`);
      const doc = (globalThis as { document?: Document }).document;
      if (doc === undefined || typeof URL.createObjectURL !== 'function') {
        throw new Error(`${url}: downloads need a browser page (document and URL.createObjectURL)`);
      }
      // TF.js writes './<prefix>.weights.bin' for downloads; keep that, so both read the pair.
      const json = modelJsonFromArtifacts(artifacts, `./${weightsName}`);
      const files: [string, Blob][] = [
        [jsonName, new Blob([JSON.stringify(json)], { type: 'application/json' })],
        [weightsName, new Blob([artifacts.weightData], { type: 'application/octet-stream' })],
      ];
      for (const [name, blob] of files) {
        const href = URL.createObjectURL(blob);
        const anchor = doc.createElement('a');
        anchor.download = name;
        anchor.href = href;
        // Browsers drop all but the last of several synchronous downloads; let each one start.
        await new Promise<void>((resolve) => setTimeout(() => { anchor.click(); resolve(); }, 0));
        setTimeout(() => URL.revokeObjectURL(href), 60_000);
      }
      return { modelArtifactsInfo: artifactsInfo(artifacts) };
    },
  };
}
