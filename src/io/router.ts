/**
 * Picks the handler for a URL by its scheme. A handler object passes through unchanged, so
 * `model.save(handler)` works as `model.save('file://...')` does.
 */
import type { LoadHandler, LoadOptions, SaveHandler } from './types.js';
import { FILE_SCHEME, fileLoadHandler, fileSaveHandler } from './file.js';
import { httpLoadHandler } from './http.js';
import {
  DOWNLOADS_SCHEME, downloadsSaveHandler, INDEXEDDB_SCHEME, indexedDbLoadHandler, indexedDbSaveHandler,
  LOCALSTORAGE_SCHEME, localStorageLoadHandler, localStorageSaveHandler,
} from './browser.js';

const SAVE_SCHEMES = 'file://, indexeddb://, localstorage://, downloads://';
const LOAD_SCHEMES = 'file://, indexeddb://, localstorage://, http(s):// or a relative URL';

function schemeOf(url: string): string | undefined {
  return /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
}

/**
 * A function that turns a URL into a LoadHandler, or null when the URL is not its scheme (TF.js's io.IORouter
 * for loading).
 */
export type LoadRouter = (url: string | string[], loadOptions?: LoadOptions) => LoadHandler | null;
/**
 * A function that turns a URL into a SaveHandler, or null when the URL is not its scheme (TF.js's io.IORouter
 * for saving).
 */
export type SaveRouter = (url: string | string[]) => SaveHandler | null;
const loadRouters: LoadRouter[] = [];
const saveRouters: SaveRouter[] = [];

/** tf.io.registerLoadRouter: `router(url)` returns a handler for URLs it serves, else null; asked before the built-in schemes. */
export function registerLoadRouter(router: LoadRouter): void {
  if (typeof router !== 'function') throw new Error(`registerLoadRouter: expected a function; received ${typeof router}`);
  loadRouters.push(router);
}
/**
 * Registers a function that turns a URL into a SaveHandler (or null when the URL is not its scheme), as
 * tf.io.registerSaveRouter.
 */
export function registerSaveRouter(router: SaveRouter): void {
  if (typeof router !== 'function') throw new Error(`registerSaveRouter: expected a function; received ${typeof router}`);
  saveRouters.push(router);
}

/** The handler one registered router gives for `url`; several is an error (ambiguous), none is null. */
function routed<H>(kind: string, handlers: H[], url: string): H | null {
  if (handlers.length > 1) throw new Error(`${kind}: ${handlers.length} registered routers claim '${url}'; expected one`);
  return handlers[0] ?? null;
}

/** tf.io.getSaveHandlers: the registered routers' handlers for `url`, else the built-in one for its scheme (or none). */
export function getSaveHandlers(url: string | string[]): SaveHandler[] {
  const custom = saveRouters.map((r) => r(url)).filter((h): h is SaveHandler => h != null);
  if (custom.length > 0 || typeof url !== 'string') return custom;
  try { return [builtinSaveHandler(url)]; } catch { return []; }
}

/** tf.io.getLoadHandlers: as getSaveHandlers, for loading. */
export function getLoadHandlers(url: string | string[], loadOptions?: LoadOptions): LoadHandler[] {
  const custom = loadRouters.map((r) => r(url, loadOptions)).filter((h): h is LoadHandler => h != null);
  if (custom.length > 0 || typeof url !== 'string') return custom;
  try { return [builtinLoadHandler(url, loadOptions)]; } catch { return []; }
}

/**
 * The SaveHandler for a URL from the registered routers, or the handler itself; throws naming the URL when no
 * router or more than one claims it.
 */
export function getSaveHandler(url: string | SaveHandler): SaveHandler {
  if (typeof url === 'object' && url !== null && typeof url.save === 'function') return url;
  if (typeof url !== 'string') {
    throw new Error(`getSaveHandler: expected a URL string or a handler with save(). Received: ${String(url)}`);
  }
  return routed('save', saveRouters.map((r) => r(url)).filter((h): h is SaveHandler => h != null), url) ?? builtinSaveHandler(url);
}

function builtinSaveHandler(url: string): SaveHandler {
  switch (schemeOf(url)) {
    case 'file': return fileSaveHandler(FILE_SCHEME + url.slice(FILE_SCHEME.length));
    case 'indexeddb': return indexedDbSaveHandler(INDEXEDDB_SCHEME + url.slice(INDEXEDDB_SCHEME.length));
    case 'localstorage': return localStorageSaveHandler(LOCALSTORAGE_SCHEME + url.slice(LOCALSTORAGE_SCHEME.length));
    case 'downloads': return downloadsSaveHandler(DOWNLOADS_SCHEME + url.slice(DOWNLOADS_SCHEME.length));
    case 'http': case 'https':
      throw new Error(`cannot save to '${url}': saving over HTTP is not supported; expected one of ${SAVE_SCHEMES}`);
    default:
      throw new Error(`cannot save to '${url}': expected a URL starting with one of ${SAVE_SCHEMES}`);
  }
}

/**
 * The LoadHandler for a URL ('file://', 'indexeddb://', 'localstorage://', http(s)) from the registered
 * routers, or the handler itself; throws naming the URL when no router or more than one claims it. `options`
 * default to none.
 */
export function getLoadHandler(url: string | LoadHandler, options: LoadOptions = {}): LoadHandler {
  if (typeof url === 'object' && url !== null && typeof url.load === 'function') return url;
  if (typeof url !== 'string') {
    throw new Error(`getLoadHandler: expected a URL string or a handler with load(). Received: ${String(url)}`);
  }
  return routed('load', loadRouters.map((r) => r(url, options)).filter((h): h is LoadHandler => h != null), url) ??
    builtinLoadHandler(url, options);
}

function builtinLoadHandler(url: string, options: LoadOptions = {}): LoadHandler {
  const scheme = schemeOf(url);
  switch (scheme) {
    case 'file': return fileLoadHandler(FILE_SCHEME + url.slice(FILE_SCHEME.length));
    case 'indexeddb': return indexedDbLoadHandler(INDEXEDDB_SCHEME + url.slice(INDEXEDDB_SCHEME.length));
    case 'localstorage': return localStorageLoadHandler(LOCALSTORAGE_SCHEME + url.slice(LOCALSTORAGE_SCHEME.length));
    case 'http': case 'https': case undefined: return httpLoadHandler(url, options);
    case 'downloads':
      throw new Error(`cannot load from '${url}': downloads:// is save-only; load the downloaded files with ` +
        `a file input, an http(s) URL or file://`);
    default:
      throw new Error(`cannot load from '${url}': expected ${LOAD_SCHEMES}`);
  }
}
