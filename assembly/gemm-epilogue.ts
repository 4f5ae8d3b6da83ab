/**
 * The GEMM epilogue passes over finished rows of C (gemm.ts): the bias row of k == 0 and of an
 * accumulating GEMM, and the activations the micro-kernels do not apply in registers (every
 * EPILOGUE_* code but linear and relu). Pointers are byte offsets, rows cStride bytes apart.
 */
import { unary } from './elementwise';
import { expm1v } from './math';
import {
  EPILOGUE_ELU, EPILOGUE_LEAKY_RELU, EPILOGUE_RELU, EPILOGUE_RELU6, EPILOGUE_SIGMOID, EPILOGUE_TANH,
  UNARY_SIGMOID, UNARY_TANH,
} from './opcodes.generated';

/** C = [C +] (bias row or 0), C's rows cStride bytes apart: k == 0, and the bias of an accumulating GEMM. */
export function fill_bias_rows(c: usize, cStride: usize, m: i32, n: i32, bias: usize, accumulate: i32): void {
  for (let i = 0; i < m; i++) {
    const row = c + <usize>i * cStride;
    for (let j = 0; j < n; j++) {
      const at = row + (<usize>j << 2);
      let v: f32 = bias ? load<f32>(bias + (<usize>j << 2)) : 0;
      if (accumulate) v = load<f32>(at) + v;
      store<f32>(at, v);
    }
  }
}

/**
 * C = act(C) over rows x cols (rows cStride bytes apart), NaN staying NaN. sigmoid and tanh
 * are the unary kernels' loops (the same vector functions, one copy in the module); elu is
 * v > 0 ? v : expm1(v); the piecewise-linear ones are one f32x4 expression.
 */
export function epilogue_rows(c: usize, cStride: usize, rows: i32, cols: i32, act: i32, alpha: f32): void {
  if (act == EPILOGUE_SIGMOID || act == EPILOGUE_TANH) {
    const op = act == EPILOGUE_SIGMOID ? UNARY_SIGMOID : UNARY_TANH;
    for (let i = 0; i < rows; i++, c += cStride) unary(op, c, c, cols);
    return;
  }
  const zero = f32x4.splat(0), six = f32x4.splat(6), slope = f32x4.splat(alpha);
  const vectorEnd = <usize>(cols & ~3) << 2;
  const end = <usize>cols << 2;
  for (let i = 0; i < rows; i++, c += cStride) {
    let j: usize = 0;
    while (j < end) {
      // Whole vectors, then the last cols % 4 one lane at a time (lane 0 of a zero-extended load).
      const whole = j < vectorEnd;
      const at = c + j;
      const v = whole ? v128.load(at) : v128.load32_zero(at);
      let r = v;
      if (act == EPILOGUE_RELU) r = f32x4.max(v, zero);
      else if (act == EPILOGUE_RELU6) r = f32x4.min(f32x4.max(v, zero), six);
      else if (act == EPILOGUE_ELU) r = v128.bitselect(v, expm1v(v), f32x4.gt(v, zero));
      else if (act == EPILOGUE_LEAKY_RELU) r = v128.bitselect(f32x4.mul(v, slope), v, f32x4.lt(v, zero));
      if (whole) { v128.store(at, r); j += 16; } else { v128.store32_lane(at, r, 0); j += 4; }
    }
  }
}
