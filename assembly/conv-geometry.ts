/**
 * The convolution and pooling geometry the host writes into 16 i32 words (src/backends/wasm/conv.ts
 * writeGeometry), in the order of src/backends/kernel-params.ts Conv2DGeometry, then the depthwise
 * channel multiplier. Kernels read it with `geo(g, G_*)`.
 */
export const G_BATCH = 0, G_IN_H = 1, G_IN_W = 2, G_IN_C = 3, G_OUT_H = 4, G_OUT_W = 5, G_OUT_C = 6;
export const G_FH = 7, G_FW = 8, G_SH = 9, G_SW = 10, G_DH = 11, G_DW = 12, G_PAD_T = 13, G_PAD_L = 14;
export const G_MULT = 15;

// @ts-ignore: decorator
@inline export function geo(g: usize, i: i32): i32 {
  return load<i32>(g + (<usize>i << 2));
}
