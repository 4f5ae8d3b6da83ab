/**
 * The fused epilogue's activations (backend.ts `Epilogue`), in float64: what the GEMM and the
 * convolutions apply to each output after the bias. NaN stays NaN through every one.
 */
import { DEFAULT_LEAKY_ALPHA, type EpilogueOp } from '../backend.js';

/** act(v) for one of EPILOGUE_CODES; `alpha` is leakyRelu's negative slope. */
export function applyEpilogue(activation: EpilogueOp, v: number, alpha = DEFAULT_LEAKY_ALPHA): number {
  switch (activation) {
    case 'linear': return v;
    case 'relu': return v < 0 ? 0 : v;
    case 'relu6': return v < 0 ? 0 : v > 6 ? 6 : v;
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'tanh': return Math.tanh(v);
    case 'elu': return v > 0 ? v : Number.isNaN(v) ? v : Math.expm1(v);
    case 'leakyRelu': return v < 0 ? alpha * v : v;
  }
}
