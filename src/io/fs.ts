/**
 * File access for the Node and Deno paths (the file:// handler, loadMnist). Browsers load
 * this module too, so nothing here touches `node:*` or `Deno` until a function is called:
 * Deno's own API when `globalThis.Deno` exists, else `node:fs/promises` imported on demand.
 */
import { importNode } from '../backends/host.js';

interface DenoFs {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<void>;
  stat(path: string): Promise<{ isFile: boolean; isDirectory: boolean }>;
  realPath(path: string): Promise<string>;
  errors: { NotFound: new (...args: never[]) => Error };
}

type NodeFs = typeof import('node:fs/promises');

function deno(): DenoFs | undefined {
  return (globalThis as { Deno?: DenoFs }).Deno;
}

/** True where files can be read: Node or Deno, not a browser or worker without them. */
export function hasFileSystem(): boolean {
  if (deno() !== undefined) return true;
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

function requireFileSystem(what: string): void {
  if (!hasFileSystem()) {
    throw new Error(`${what} needs Node or Deno file access; this environment has neither`);
  }
}

export async function readFileBytes(path: string): Promise<Uint8Array> {
  requireFileSystem(`reading '${path}'`);
  const d = deno();
  if (d !== undefined) return d.readFile(path);
  const fs = await importNode<NodeFs>('node:fs/promises');
  const buffer = await fs.readFile(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export async function writeFileBytes(path: string, data: Uint8Array): Promise<void> {
  requireFileSystem(`writing '${path}'`);
  const d = deno();
  if (d !== undefined) return d.writeFile(path, data);
  const fs = await importNode<NodeFs>('node:fs/promises');
  await fs.writeFile(path, data);
}

export async function makeDirectory(path: string): Promise<void> {
  requireFileSystem(`creating '${path}'`);
  const d = deno();
  if (d !== undefined) return d.mkdir(path, { recursive: true });
  const fs = await importNode<NodeFs>('node:fs/promises');
  await fs.mkdir(path, { recursive: true });
}

/** 'file', 'directory', 'other', or null when nothing is at `path`. */
export async function pathKind(path: string): Promise<'file' | 'directory' | 'other' | null> {
  requireFileSystem(`reading '${path}'`);
  const d = deno();
  try {
    if (d !== undefined) {
      const info = await d.stat(path);
      return info.isFile ? 'file' : info.isDirectory ? 'directory' : 'other';
    }
    const fs = await importNode<NodeFs>('node:fs/promises');
    const info = await fs.stat(path);
    return info.isFile() ? 'file' : info.isDirectory() ? 'directory' : 'other';
  } catch (error) {
    if (d !== undefined && error instanceof d.errors.NotFound) return null;
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw error;
  }
}

/** The canonical absolute path, with symbolic links resolved. */
export async function realPath(path: string): Promise<string> {
  requireFileSystem(`resolving '${path}'`);
  const d = deno();
  if (d !== undefined) return d.realPath(path);
  const fs = await importNode<NodeFs>('node:fs/promises');
  return fs.realpath(path);
}

/** Joins with '/', which both Node and Deno accept on every platform. */
export function joinPath(directory: string, name: string): string {
  if (directory === '') return name;
  return /[\\/]$/.test(directory) ? directory + name : `${directory}/${name}`;
}

/** The folder part of a path ('' for a bare file name). */
export function directoryOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut < 0 ? '' : path.slice(0, cut + 1);
}
