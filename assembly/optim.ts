/**
 * Optimizer updates, in place over n parameters, with TF.js semantics (the constants that
 * depend on the step, like Adam's bias corrections, come from the host). One f32x4 body and a
 * one-lane tail running the same vector code. Plain multiply and add in every build (no
 * fused multiply-add), so the simd and relaxed builds update identically.
 */

/**
 * Optimizer state decays geometrically where gradients are zero (e.g. weights of MNIST's
 * always-black border pixels): 0.9^t reaches the subnormal range, where x86 float math is
 * ~100x slower and wasm has no flush-to-zero mode, and 0.9 * 5.6e-45 rounds back to itself,
 * so the slow values never leave. Measured: 4% of Adam's state after one MNIST epoch, making
 * the update 4x slower. Stored state below the smallest normal float is therefore written as
 * 0 (the update it drops is below 1e-30). The reference backend does the same.
 */
const SMALLEST_NORMAL: f32 = 1.17549435e-38;

// @ts-ignore: decorator
@inline function flushSubnormal(x: v128): v128 {
  return v128.andnot(x, f32x4.lt(f32x4.abs(x), f32x4.splat(SMALLEST_NORMAL)));
}

// @ts-ignore: decorator
@inline function flushSubnormalScalar(x: f32): f32 {
  return Mathf.abs(x) < SMALLEST_NORMAL ? 0 : x;
}

/**
 * Adam: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * param -= lr (m c1) / (sqrt(v c2) + eps), with c1 = 1 / (1 - b1^t), c2 = 1 / (1 - b2^t).
 */
// @ts-ignore: decorator
@inline function adamStep(param: v128, g: v128, m: v128, v: v128, lr: v128, beta1: v128,
  oneMinusBeta1: v128, beta2: v128, oneMinusBeta2: v128, eps: v128, c1: v128, c2: v128,
  at: usize, mAt: usize, vAt: usize, full: bool): void {
  const newM = flushSubnormal(f32x4.add(f32x4.mul(beta1, m), f32x4.mul(oneMinusBeta1, g)));
  const newV = flushSubnormal(f32x4.add(f32x4.mul(beta2, v), f32x4.mul(oneMinusBeta2, f32x4.mul(g, g))));
  const step = f32x4.div(f32x4.mul(lr, f32x4.mul(newM, c1)),
    f32x4.add(f32x4.sqrt(f32x4.mul(newV, c2)), eps));
  const newParam = f32x4.sub(param, step);
  if (full) {
    v128.store(mAt, newM);
    v128.store(vAt, newV);
    v128.store(at, newParam);
  } else {
    v128.store32_lane(mAt, newM, 0);
    v128.store32_lane(vAt, newV, 0);
    v128.store32_lane(at, newParam, 0);
  }
}

export function adam(param: usize, grad: usize, m: usize, v: usize, n: i32, lr: f32, beta1: f32,
  beta2: f32, eps: f32, c1: f32, c2: f32): void {
  const lrV = f32x4.splat(lr);
  const b1 = f32x4.splat(beta1);
  const b1c = f32x4.splat(1.0 - beta1);
  const b2 = f32x4.splat(beta2);
  const b2c = f32x4.splat(1.0 - beta2);
  const epsV = f32x4.splat(eps);
  const c1V = f32x4.splat(c1);
  const c2V = f32x4.splat(c2);
  const vectorEnd = <usize>(n & ~3) << 2;
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i < vectorEnd; i += 16) {
    adamStep(v128.load(param + i), v128.load(grad + i), v128.load(m + i), v128.load(v + i),
      lrV, b1, b1c, b2, b2c, epsV, c1V, c2V, param + i, m + i, v + i, true);
  }
  for (; i < end; i += 4) {
    adamStep(v128.load32_zero(param + i), v128.load32_zero(grad + i), v128.load32_zero(m + i),
      v128.load32_zero(v + i), lrV, b1, b1c, b2, b2c, epsV, c1V, c2V, param + i, m + i, v + i, false);
  }
}

/**
 * SGD. velocity 0: param -= lr g. Otherwise (momentum): velocity = momentum velocity + g;
 * param -= lr (nesterov ? g + momentum velocity : velocity).
 */
export function sgd(param: usize, grad: usize, velocity: usize, n: i32, lr: f32, momentum: f32,
  nesterov: i32): void {
  const lrV = f32x4.splat(lr);
  const mu = f32x4.splat(momentum);
  const vectorEnd = <usize>(n & ~3) << 2;
  const end = <usize>n << 2;
  let i: usize = 0;
  if (velocity == 0) {
    for (; i < vectorEnd; i += 16) {
      v128.store(param + i, f32x4.sub(v128.load(param + i), f32x4.mul(lrV, v128.load(grad + i))));
    }
    for (; i < end; i += 4) store<f32>(param + i, load<f32>(param + i) - lr * load<f32>(grad + i));
    return;
  }
  if (nesterov != 0) {
    for (; i < vectorEnd; i += 16) {
      const g = v128.load(grad + i);
      const vel = flushSubnormal(f32x4.add(f32x4.mul(mu, v128.load(velocity + i)), g));
      v128.store(velocity + i, vel);
      v128.store(param + i, f32x4.sub(v128.load(param + i), f32x4.mul(lrV, f32x4.add(g, f32x4.mul(mu, vel)))));
    }
    for (; i < end; i += 4) {
      const g = load<f32>(grad + i);
      const vel = flushSubnormalScalar(momentum * load<f32>(velocity + i) + g);
      store<f32>(velocity + i, vel);
      store<f32>(param + i, load<f32>(param + i) - lr * (g + momentum * vel));
    }
  } else {
    for (; i < vectorEnd; i += 16) {
      const vel = flushSubnormal(f32x4.add(f32x4.mul(mu, v128.load(velocity + i)), v128.load(grad + i)));
      v128.store(velocity + i, vel);
      v128.store(param + i, f32x4.sub(v128.load(param + i), f32x4.mul(lrV, vel)));
    }
    for (; i < end; i += 4) {
      const vel = flushSubnormalScalar(momentum * load<f32>(velocity + i) + load<f32>(grad + i));
      store<f32>(velocity + i, vel);
      store<f32>(param + i, load<f32>(param + i) - lr * vel);
    }
  }
}

/**
 * RMSProp (TF.js, not centered): ms = decay ms + (1 - decay) g^2; step = lr g / sqrt(ms + eps);
 * with a moment buffer mom = momentum mom + step, param -= mom; without, param -= step.
 */
// @ts-ignore: decorator
@inline function rmspropStep(param: v128, g: v128, ms: v128, mom: v128, lr: v128, decay: v128,
  oneMinusDecay: v128, momentum: v128, eps: v128, at: usize, msAt: usize, momAt: usize,
  withMoment: bool, full: bool): void {
  const newMs = flushSubnormal(f32x4.add(f32x4.mul(decay, ms), f32x4.mul(oneMinusDecay, f32x4.mul(g, g))));
  const step = f32x4.div(f32x4.mul(lr, g), f32x4.sqrt(f32x4.add(newMs, eps)));
  const newMom = withMoment ? flushSubnormal(f32x4.add(f32x4.mul(momentum, mom), step)) : step;
  const newParam = f32x4.sub(param, newMom);
  if (full) {
    v128.store(msAt, newMs);
    if (withMoment) v128.store(momAt, newMom);
    v128.store(at, newParam);
  } else {
    v128.store32_lane(msAt, newMs, 0);
    if (withMoment) v128.store32_lane(momAt, newMom, 0);
    v128.store32_lane(at, newParam, 0);
  }
}

// @ts-ignore: decorator
@inline function rmspropLoop(param: usize, grad: usize, ms: usize, mom: usize, n: i32, lr: f32,
  decay: f32, momentum: f32, eps: f32, withMoment: bool): void {
  const lrV = f32x4.splat(lr);
  const d = f32x4.splat(decay);
  const dc = f32x4.splat(1.0 - decay);
  const mu = f32x4.splat(momentum);
  const epsV = f32x4.splat(eps);
  const zero = f32x4.splat(0.0);
  const vectorEnd = <usize>(n & ~3) << 2;
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i < vectorEnd; i += 16) {
    rmspropStep(v128.load(param + i), v128.load(grad + i), v128.load(ms + i),
      withMoment ? v128.load(mom + i) : zero, lrV, d, dc, mu, epsV, param + i, ms + i, mom + i,
      withMoment, true);
  }
  for (; i < end; i += 4) {
    rmspropStep(v128.load32_zero(param + i), v128.load32_zero(grad + i), v128.load32_zero(ms + i),
      withMoment ? v128.load32_zero(mom + i) : zero, lrV, d, dc, mu, epsV, param + i, ms + i,
      mom + i, withMoment, false);
  }
}

export function rmsprop(param: usize, grad: usize, ms: usize, mom: usize, n: i32, lr: f32,
  decay: f32, momentum: f32, eps: f32): void {
  if (mom != 0) rmspropLoop(param, grad, ms, mom, n, lr, decay, momentum, eps, true);
  else rmspropLoop(param, grad, ms, 0, n, lr, decay, momentum, eps, false);
}
