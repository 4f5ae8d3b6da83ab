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

export function getSaveHandler(url: string | SaveHandler): SaveHandler {
  if (typeof url === 'object' && url !== null && typeof url.save === 'function') return url;
  if (typeof url !== 'string') {
    throw new Error(`getSaveHandler: expected a URL string or a handler with save(). Received: ${String(url)}`);
  }
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

export function getLoadHandler(url: string | LoadHandler, options: LoadOptions = {}): LoadHandler {
  if (typeof url === 'object' && url !== null && typeof url.load === 'function') return url;
  if (typeof url !== 'string') {
    throw new Error(`getLoadHandler: expected a URL string or a handler with load(). Received: ${String(url)}`);
  }
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
