/**
 * The header's line about the backend, for a visitor: which one runs, on what (graphics card or
 * processor), and why this one (chosen in the menu, or what auto found about the others), in
 * plain words and without the library's setup advice (installing drivers or packages), which
 * speaks to a developer, not to someone opening the page.
 */

/** What the backend is, in a visitor's words. */
function whatRuns(env) {
  if (env.backend === 'webgpu') {
    const adapter = /\((.*)\)/.exec(env.description)?.[1] ?? '';
    // SwiftShader, lavapipe and llvmpipe are WebGPU drawn by the processor, not a graphics card.
    const software = /swiftshader|lavapipe|llvmpipe|\bcpu\b/i.test(adapter);
    return `${software ? 'a software GPU on your processor' : 'your graphics card'}, through WebGPU${adapter ? ` (${adapter})` : ''}`;
  }
  if (env.backend === 'wasm') return `your processor, through WebAssembly with ${/relaxed/.test(env.description) ? 'SIMD and relaxed SIMD' : 'SIMD'}`;
  return 'your processor, in plain JavaScript (the slowest way)';
}

/** Why auto passed a backend over, from the library's message, for a visitor (no setup advice). */
function whyNot(skipped) {
  const [name, ...rest] = skipped.split(': ');
  const message = rest.join(': ');
  if (name === 'webgpu') {
    if (/navigator\.gpu is missing/.test(message)) return 'this browser has no WebGPU';
    if (/no GPU adapter/.test(message)) return 'this browser offers WebGPU no graphics card';
    const cpu = /runs on the CPU \(([^)]*)\)/.exec(message);
    if (cpu) return `this browser's WebGPU runs in software on the processor (${cpu[1]}), which is slower than WebAssembly`;
    return 'WebGPU could not start on this graphics card';
  }
  if (name === 'wasm') return 'this browser cannot run WebAssembly SIMD';
  return `${name} could not start`;
}

/** The header line: which backend runs, on what, and why this one. */
export function describeBackend(env, chosen) {
  const what = `Running on ${env.backend}: ${whatRuns(env)}.`;
  if (chosen !== 'auto') return `${what} You chose ${chosen} in the Backend menu.`;
  if (env.autoSkipped.length === 0) return `${what} Picked automatically: it is the fastest this browser offers.`;
  return `${what} Picked automatically, because ${env.autoSkipped.map(whyNot).join(', and ')}.`;
}
