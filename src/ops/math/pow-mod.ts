/**
 * pow and mod: binary ops (binary.ts's factory, broadcasting and dtype rules) that sit above
 * the unary math because of what they read: pow runs a plain exponent 2 as square and its
 * gradient reads log, mod's gradient reads floor.
 */
import type { Tensor } from '../../core/tensor.js';
import { binaryOp, div, greater, mul, sub, upcasting, where, type Operand } from './binary.js';
import { run1 } from '../registry.js';
import { log, neg, square } from './unary.js';
import { floor } from './elementary.js';
import { chain } from '../util.js';

// As TF.js: d/db reads log(a) only where a > 0 (elsewhere 0, not NaN).
const POW = binaryOp('pow', 'pow', (dy, a, b, y) => [mul(dy, mul(b, pow(a, sub(b, 1)))),
  mul(dy, mul(y, where(greater(a, 0), log(where(greater(a, 0), a, 1)), 0)))], 'output');
// a - floor(a / b) b: d/da = 1, d/db = -floor(a / b).
const MOD = binaryOp('mod', 'mod', (dy, a, b) => [dy, mul(dy, neg(floor(div(a, b))))], true);
/**
 * a^b; int32 operands give int32 (as TF.js: the power converted with ToInt32). A plain exponent
 * 2 runs as square (the same float32 values and gradient, a vector kernel instead of pow's
 * float64 scalar loop).
 */
export const pow = (base: Operand, exp: Operand): Tensor => upcasting('pow', base, exp, (a, b) =>
  (exp === 2 && a.dtype === 'float32' && b.size === 1 ? square(a) : run1(POW, [a, b], {})));
/** The remainder with the divisor's sign (TF.js's mod); int32 stays int32, with x mod 0 = 0. */
export const mod = (a: Operand, b: Operand): Tensor => upcasting('mod', a, b, (x, y) => run1(MOD, [x, y], {}));

declare module '../../core/tensor.js' {
  interface Tensor { pow(exp: Operand): Tensor; mod(b: Operand): Tensor }
}
chain({
  pow(exp: Operand) { return pow(this, exp); },
  mod(b: Operand) { return mod(this, b); },
});
