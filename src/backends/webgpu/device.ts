/**
 * Getting a WebGPU device for the backend: the adapter (or the caller's own device), the CPU
 * adapter check that 'auto' uses to pass over SwiftShader and lavapipe, the limits the
 * backend asks for, and clear Errors for every way this can fail. The kernels are in index.ts.
 */
import { GPUContext } from './context.js';
import type { GemmVariant } from './layout.js';

export interface WebGPUBackendOptions {
  adapter?: GPUAdapter;
  /** Use this device (the backend will not destroy it on dispose). */
  device?: GPUDevice;
  powerPreference?: GPUPowerPreference;
  /** Submit after this many dispatches even without a read (default 64). */
  dispatchesPerSubmit?: number;
  /** GEMM variant; default 'blocked' on CPU adapters (SwiftShader, lavapipe), else 'tiled'. */
  gemm?: GemmVariant;
  /**
   * False: refuse an adapter that runs WGSL on the CPU (SwiftShader, lavapipe), where the
   * wasm backend is an order of magnitude faster; for 'auto' selection. Default true.
   */
  allowCpuAdapter?: boolean;
}

/** Adapters that run WGSL on the CPU, from what the adapter says about itself. */
export function isCpuAdapter(info: { vendor?: string; architecture?: string; device?: string; description?: string;
  isFallbackAdapter?: boolean } | undefined): boolean {
  if (!info) return false;
  if (info.isFallbackAdapter) return true;
  return /swiftshader|llvmpipe|lavapipe|softpipe|warp/i.test(
    [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '));
}

function describe(info: GPUAdapterInfo | undefined): string {
  const detail = info ? [info.vendor, info.architecture, info.description].filter((s) => s).join(' ') : '';
  return detail || 'unknown adapter';
}

function navigatorGPU(): GPU | undefined {
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
}

/** What the backend is built on: the device's context and what the adapter is. */
export interface OpenedDevice {
  context: GPUContext;
  description: string;
  gemmVariant: GemmVariant;
  cpuAdapter: boolean;
}

/**
 * The given device, or a new device of the given (or the default) adapter, for the backend
 * (index.ts's createWebGPUBackend). Throws a clear Error when the runtime has no WebGPU, no
 * adapter, or the device cannot be had.
 */
export async function openDevice(options: WebGPUBackendOptions = {}): Promise<OpenedDevice> {
  let device = options.device;
  let adapter = options.adapter;
  let info: GPUAdapterInfo | undefined;
  if (!device) {
    if (!adapter) {
      const gpu = navigatorGPU();
      if (!gpu) {
        throw new Error('webgpu backend: this runtime has no WebGPU (navigator.gpu is missing). Browsers expose it ' +
          'in secure contexts (https or localhost); Deno has it; Node does not. Use the wasm backend instead.');
      }
      adapter = (await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined)) ?? undefined;
      if (!adapter) {
        throw new Error('webgpu backend: navigator.gpu.requestAdapter() found no GPU adapter (no usable GPU or ' +
          'driver; on Linux without a GPU, Mesa\'s lavapipe provides one: apt-get install -y mesa-vulkan-drivers)');
      }
    }
    info = adapter.info; // read before requestDevice: some runtimes break if read after
    if (options.allowCpuAdapter === false && isCpuAdapter(info)) {
      throw new Error(`webgpu backend: the only adapter runs on the CPU (${describe(info)}); ` +
        'the wasm backend is faster here');
    }
    const limits = adapter.limits;
    try {
      device = await adapter.requestDevice({
        label: 'sora',
        requiredLimits: {
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          maxBufferSize: limits.maxBufferSize,
        },
      });
    } catch (error) {
      throw new Error(`webgpu backend: adapter.requestDevice() failed: ${(error as Error).message}`);
    }
    if (!device) throw new Error('webgpu backend: adapter.requestDevice() returned no device');
  } else {
    info = adapter?.info ?? (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  }
  // No shader compiles here: each compiles on its first use (see pipelines.ts).
  const context = new GPUContext(device, options.dispatchesPerSubmit ?? 64, !options.device);
  const cpu = isCpuAdapter(info);
  return { context, description: `webgpu (${describe(info)})`, gemmVariant: options.gemm ?? (cpu ? 'blocked' : 'tiled'), cpuAdapter: cpu };
}
