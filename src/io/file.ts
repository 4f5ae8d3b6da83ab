/**
 * file:// (Node and Deno). Save writes `model.json` and `weights.bin` into a folder, making
 * it; load reads a model.json (or a folder holding one) and the weight files its manifest
 * names, relative to it. Files are touched only when save() or load() runs.
 */
import type { LoadHandler, ModelArtifacts, SaveHandler, SaveResult } from './types.js';
import {
  artifactsInfo, checkArtifacts, MODEL_JSON_NAME, modelJsonFromArtifacts, parseModelJson, readWeightGroups,
  WEIGHTS_BIN_NAME,
} from './model-json.js';
import { directoryOf, joinPath, makeDirectory, pathKind, readFileBytes, realPath, writeFileBytes } from './fs.js';

export const FILE_SCHEME = 'file://';

/** 'file://out/m' → 'out/m'; 'file:///C:/m' → 'C:/m'. */
export function filePathOf(url: string): string {
  let path = url.startsWith(FILE_SCHEME) ? url.slice(FILE_SCHEME.length) : url;
  if (/^\/[A-Za-z]:[\\/]/.test(path)) path = path.slice(1);
  if (path.length === 0) throw new Error(`'${url}' names no path; expected e.g. file://models/mnist`);
  return path;
}

/**
 * Saves into the folder `url` names (or, when it ends in '.json', beside that file under
 * that name).
 */
export function fileSaveHandler(url: string): SaveHandler {
  const path = filePathOf(url);
  return {
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      checkArtifacts(artifacts, `saving to ${url}`);
      const isJson = path.toLowerCase().endsWith('.json');
      const directory = isJson ? directoryOf(path) : path;
      const jsonPath = isJson ? path : joinPath(path, MODEL_JSON_NAME);
      if (directory !== '') {
        const kind = await pathKind(directory);
        if (kind !== null && kind !== 'directory') {
          throw new Error(`saving to ${url}: '${directory}' exists and is not a folder`);
        }
        if (kind === null) await makeDirectory(directory);
      }
      const json = modelJsonFromArtifacts(artifacts, WEIGHTS_BIN_NAME);
      // Weights first: a model.json is never left naming weights that were not written.
      await writeFileBytes(joinPath(directory, WEIGHTS_BIN_NAME), new Uint8Array(artifacts.weightData));
      await writeFileBytes(jsonPath, new TextEncoder().encode(JSON.stringify(json)));
      return { modelArtifactsInfo: artifactsInfo(artifacts) };
    },
  };
}

/** Loads from `url`: a model.json, or a folder with a model.json in it. */
export function fileLoadHandler(url: string): LoadHandler {
  const path = filePathOf(url);
  return {
    async load(): Promise<ModelArtifacts> {
      const kind = await pathKind(path);
      if (kind === null) throw new Error(`loading ${url}: no file or folder at '${path}'`);
      const jsonPath = kind === 'directory' ? joinPath(path, MODEL_JSON_NAME) : path;
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(await readFileBytes(jsonPath));
      } catch (error) {
        throw new Error(`loading ${url}: cannot read ${jsonPath}: ${(error as Error).message}`, { cause: error });
      }
      const parsed = parseModelJson(text, jsonPath);
      const directory = directoryOf(jsonPath);
      const resolve = (weightPath: string): string => joinPath(directory, weightPath.replace(/^(\.\/)+/, ''));
      const folder = await realPath(directory === '' ? '.' : directory);
      return readWeightGroups(parsed, async (weightPath) => {
        const file = resolve(weightPath);
        let bytes: Uint8Array;
        try {
          // The manifest's paths are already checked; a symbolic link could still point away.
          const real = await realPath(file);
          if (!isInside(real, folder)) {
            throw new Error(`it resolves to ${real}, outside the model's folder ${folder}`);
          }
          bytes = await readFileBytes(file);
        } catch (error) {
          throw new Error(`${jsonPath}: cannot read weight file ${file}: ${(error as Error).message}`, { cause: error });
        }
        return bytes;
      }, resolve);
    },
  };
}

function isInside(path: string, folder: string): boolean {
  const separator = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  const prefix = folder.endsWith(separator) ? folder : folder + separator;
  return path.startsWith(prefix);
}
