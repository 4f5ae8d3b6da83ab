/**
 * Flat values as nested arrays of a shape (what `array()` returns, and tf.util.toNestedArray):
 * the core needs it below the TF.js utility surface (src/compat/util.ts re-exports it).
 */
export type RecursiveArray<T> = T | RecursiveArray<T>[];

const sizeOfShape = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Flat values nested as `shape` (a scalar shape gives the number; an empty tensor, []). */
export function toNestedArray(shape: number[], a: ArrayLike<number>, isComplex = false): RecursiveArray<number> {
  if (shape.length === 0) return a[0];
  const width = isComplex ? 2 : 1;
  const size = sizeOfShape(shape) * width;
  if (size === 0) return [];
  if (size !== a.length) throw new Error(`util.toNestedArray: shape [${shape}] does not match the input size ${a.length}${isComplex ? ' for a complex tensor' : ''}`);
  const nest = (offset: number, dims: number[]): RecursiveArray<number>[] => {
    if (dims.length === 1) return Array.from({ length: dims[0] * width }, (_, i) => a[offset + i]);
    const inner = sizeOfShape(dims.slice(1)) * width;
    return Array.from({ length: dims[0] }, (_, i) => nest(offset + i * inner, dims.slice(1)));
  };
  return nest(0, shape);
}
