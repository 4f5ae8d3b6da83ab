/**
 * Stand-alone activations (a graph model's Relu6 / LeakyRelu / Elu / Prelu nodes that no
 * convolution absorbed): `activation` is out = act(x) for an EPILOGUE_* code, the GEMM
 * epilogue's expressions (gemm-epilogue.ts) over a flat buffer, and `prelu`, one pass, is
 * out = x < 0 ? x * alpha : x with alpha repeating every alphaCount elements (a channel axis).
 * NaN stays NaN; -0 stays -0 where the compositions keep it. Outputs may alias x.
 */
import { epilogue_rows } from './gemm-epilogue';
import { EPILOGUE_LEAKY_RELU, EPILOGUE_RELU6 } from './opcodes.generated';

/**
 * out = act(x) over n elements (act an EPILOGUE_* code, alpha leakyRelu's slope). relu6 and
 * leakyRelu, the ones graph models leave unfused, read x and write out in one pass; the others
 * are the GEMM epilogue's pass over a copy of x in out (no copy in place), one copy of their loops
 * in the module.
 */
export function activation(x: usize, out: usize, n: i32, act: i32, alpha: f32): void {
  if (act == EPILOGUE_RELU6 || act == EPILOGUE_LEAKY_RELU) {
    const zero = f32x4.splat(0), six = f32x4.splat(6), slope = f32x4.splat(alpha);
    const relu6 = act == EPILOGUE_RELU6;
    const end = <usize>n << 2;
    for (let j: usize = 0; j < end; j += 16) {
      // The last n % 4 lanes: a zero-extended load, lane by lane stores (the same vector code).
      const whole = j + 16 <= end;
      const v = whole ? v128.load(x + j) : v128.load32_zero(x + j);
      const r = relu6 ? f32x4.min(f32x4.max(v, zero), six) : v128.bitselect(f32x4.mul(v, slope), v, f32x4.lt(v, zero));
      if (whole) { v128.store(out + j, r); continue; }
      v128.store32_lane(out + j, r, 0);
      j -= 12;
    }
    return;
  }
  if (out != x) memory.copy(out, x, <usize>n << 2);
  epilogue_rows(out, 0, 1, n, act, alpha);
}

/**
 * out[i] = x[i] < 0 ? x[i] * alpha[i % alphaCount] : x[i] for i < n (n a multiple of alphaCount).
 * Rows of alphaCount: whole vectors of the row, then its last alphaCount % 4 one lane at a time.
 */
export function prelu(x: usize, alpha: usize, out: usize, n: i32, alphaCount: i32): void {
  const rows = n / alphaCount, rowBytes = <usize>alphaCount << 2, vectorEnd = <usize>(alphaCount & ~3) << 2;
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++, x += rowBytes, out += rowBytes) {
    let j: usize = 0;
    for (; j < vectorEnd; j += 16) {
      const v = v128.load(x + j);
      v128.store(out + j, v128.bitselect(f32x4.mul(v, v128.load(alpha + j)), v, f32x4.lt(v, zero)));
    }
    for (; j < rowBytes; j += 4) {
      const v = load<f32>(x + j);
      store<f32>(out + j, v < 0 ? v * load<f32>(alpha + j) : v);
    }
  }
}
