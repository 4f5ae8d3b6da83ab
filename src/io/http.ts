/**
 * http(s):// and relative URLs, loaded with fetch: model.json first, then each weight path
 * of its manifest resolved against the model.json URL (as TF.js does).
 */
import type { LoadHandler, LoadOptions, ModelArtifacts, SaveHandler, SaveResult } from './types.js';
import { artifactsInfo, checkArtifacts, modelJsonFromArtifacts, parseModelJson, readWeightGroups } from './model-json.js';

/** The page's (or worker's, or `deno --location`'s) URL, when there is one. */
function baseUrl(): string | undefined {
  const location = (globalThis as { location?: { href?: string } }).location;
  return typeof location?.href === 'string' ? location.href : undefined;
}

/**
 * A LoadHandler that fetches model.json and its weight files over HTTP(S) (what loadLayersModel uses for http
 * URLs); `options` default to none.
 */
export function httpLoadHandler(url: string, options: LoadOptions = {}): LoadHandler {
  return {
    async load(): Promise<ModelArtifacts> {
      const base = baseUrl();
      let modelUrl: URL;
      try {
        modelUrl = new URL(url, base);
      } catch {
        throw new Error(`loading '${url}': a relative URL needs a page to resolve against, and there is none ` +
          `here; use an absolute http(s):// URL, or file://path for files in Node and Deno`);
      }
      const fetchFunc = options.fetchFunc ?? globalThis.fetch;
      if (typeof fetchFunc !== 'function') throw new Error(`loading '${url}': this environment has no fetch`);
      const get = async (target: URL): Promise<Response> => {
        let response: Response;
        try {
          response = await fetchFunc(target.href, options.requestInit);
        } catch (error) {
          throw new Error(`fetching ${target.href} failed: ${(error as Error).message}`, { cause: error });
        }
        if (!response.ok) throw new Error(`fetching ${target.href} failed: HTTP ${response.status} ${response.statusText}`);
        return response;
      };
      const text = await (await get(modelUrl)).text();
      const parsed = parseModelJson(text, modelUrl.href);
      const folder = new URL('./', modelUrl).href;
      // As TF.js does, the model URL's query ('?tfjs-format=file' on TF Hub) goes on every weight URL.
      const suffix = (path: string): string => (path.includes('?') ? '' : modelUrl.search);
      const resolve = (path: string): URL => {
        const resolved = new URL(path + suffix(path), modelUrl);
        // checkWeightPath already refused escapes; this guards against URL-parser surprises.
        if (!resolved.href.startsWith(folder)) {
          throw new Error(`${modelUrl.href}: weight path ${JSON.stringify(path)} resolves to ${resolved.href}, ` +
            `outside ${folder}`);
        }
        return resolved;
      };
      // A prefix or converter the caller gives is trusted to say where the files are; a prefix
      // is prepended as a string, as TF.js does ('https://cdn/v2/' + 'group1-shard1of1.bin').
      const { weightPathPrefix: prefix, weightUrlConverter: convert } = options;
      const locate = async (path: string): Promise<URL> => (convert ? new URL(await convert(path), modelUrl)
        : prefix != null ? new URL(prefix + path + suffix(path), modelUrl) : resolve(path));
      const total = parsed.groups.reduce((n, g) => n + g.paths.length, 0);
      let done = 0;
      return readWeightGroups(parsed, async (path) => {
        const bytes = new Uint8Array(await (await get(await locate(path))).arrayBuffer());
        options.onProgress?.(++done / total);
        return bytes;
      }, (path) => (convert || prefix != null ? path : resolve(path).href));
    },
  };
}

/**
 * tf.io.http (and its old name browserHTTPRequest): loads as above, and saves by sending
 * model.json and model.weights.bin as multipart form fields of one request (POST unless
 * requestInit says otherwise), as TF.js does; a non-2xx answer is an error.
 */
export function http(path: string, loadOptions: LoadOptions = {}): LoadHandler & SaveHandler {
  if (typeof path !== 'string' || path.length === 0) throw new Error(`http: expected a URL string; received ${JSON.stringify(path)}`);
  const loader = httpLoadHandler(path, loadOptions);
  return {
    load: () => loader.load(),
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      checkArtifacts(artifacts, `saving to ${path}`);
      const fetchFunc = loadOptions.fetchFunc ?? globalThis.fetch;
      if (typeof fetchFunc !== 'function') throw new Error(`saving to '${path}': this environment has no fetch`);
      const body = new FormData();
      const json = modelJsonFromArtifacts(artifacts, './model.weights.bin');
      body.append('model.json', new Blob([JSON.stringify(json)], { type: 'application/json' }), 'model.json');
      body.append('model.weights.bin', new Blob([artifacts.weightData], { type: 'application/octet-stream' }), 'model.weights.bin');
      const response = await fetchFunc(path, { method: 'POST', ...loadOptions.requestInit, body });
      if (!response.ok) throw new Error(`saving to '${path}' failed: HTTP ${response.status} ${response.statusText}`);
      return { modelArtifactsInfo: artifactsInfo(artifacts) };
    },
  };
}
/** TF.js's older name for io.http: a handler that loads from or saves (as a multipart POST) to a URL. */
export const browserHTTPRequest = http;
