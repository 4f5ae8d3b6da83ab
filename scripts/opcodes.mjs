/**
 * The op codes of the unary, binary and reduce kernels (and the cast shader's modes): the one table from which
 * scripts/gen-opcodes.mjs writes the TypeScript (src/backends/opcodes.generated.ts) and
 * AssemblyScript (assembly/opcodes.generated.ts) constants, and from which
 * scripts/gen-shaders.mjs puts WGSL `const`s in front of the shaders that name them.
 *
 * An op's code is its position in its list. Names become constants as FAMILY_SNAKE_CASE:
 * binary 'squaredDifference' is BINARY_SQUARED_DIFFERENCE in assembly/ and shaders/.
 */
export const OPCODES = {
  unary: [
    'relu', 'sigmoid', 'tanh', 'exp', 'log', 'neg', 'abs', 'sqrt', 'square',
    'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'erf',
    'log1p', 'expm1', 'floor', 'ceil', 'round', 'sign', 'reciprocal', 'rsqrt',
  ],
  binary: [
    'add', 'sub', 'mul', 'div', 'max', 'min', 'equal', 'squaredDifference',
    'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual', 'logicalAnd', 'logicalOr', 'logicalXor',
    'pow', 'mod', 'floorDiv', 'atan2',
  ],
  reduce: ['sum', 'max', 'min'],
  /**
   * The GEMM (and later convolution) epilogue: applied to each output after the bias is
   * added. elu uses alpha 1 (TF.js's elu); leakyRelu takes its alpha from the params.
   */
  epilogue: ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'elu', 'leakyRelu'],
  /** The webgpu cast shader's conversions (its MODE override); 'copy' moves the words. */
  cast: ['float32ToInt32', 'int32ToFloat32', 'copy', 'float32ToBool', 'int32ToBool'],
};

/** 'binary', 'squaredDifference' -> 'BINARY_SQUARED_DIFFERENCE'. */
export function constantName(family, op) {
  return `${family}_${op.replace(/[A-Z]/g, (c) => `_${c}`)}`.toUpperCase();
}

/** Every [name, code] pair, family by family. */
export function opConstants() {
  return Object.entries(OPCODES).flatMap(([family, ops]) => ops.map((op, code) => [constantName(family, op), code]));
}
