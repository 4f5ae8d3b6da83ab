/**
 * Shader modules and the compute-pipeline cache of the webgpu backend. A module is created
 * on the first use of its shader (a kernel's first dispatch, or compile()'s warm-up) and
 * checked asynchronously (getCompilationInfo plus an error scope, naming file, line and
 * message); once that check has failed, every kernel using the shader throws at dispatch.
 * Pipelines are created on first use inside validation/internal error scopes, keyed by
 * shader, entry point and override constants. Failures go to the context's error log
 * (`fail`), and the checks to its pending list (`report`), both awaited by read()/flush()
 * (error-log.ts).
 *
 * Layouts are explicit, one per shader, read from its declarations: binding 0 the uniform
 * struct at a dynamic offset (the uniform ring, uniform-ring.ts), then each `var<storage, read>`
 * as read-only storage and each `var<storage, read_write>` as storage. Every pipeline of a
 * shader shares it, so one cached bind group serves all of them.
 */
import { SHADERS, type ShaderName } from './shaders.generated.js';

export interface PipelineRecord {
  pipeline: GPUComputePipeline;
  /** The shader's bind group layout (shared by its pipelines). */
  layout: GPUBindGroupLayout;
  /** Per storage binding 1..n: whether the shader declares it read_write. */
  writable: readonly boolean[];
  /** Set when creating the pipeline failed after it was handed out: the message. */
  failed?: string;
}

/** The kind of each binding a shader declares, by binding number (binding 0 must be the uniform struct). */
export function bindingKinds(source: string): ('uniform' | 'read' | 'read_write')[] {
  const kinds: ('uniform' | 'read' | 'read_write')[] = [];
  for (const match of source.matchAll(/@binding\((\d+)\)\s*var<\s*(uniform|storage\s*,\s*read_write|storage\s*,\s*read|storage)\s*>/g)) {
    const declared = match[2].replace(/\s/g, '');
    kinds[Number(match[1])] = declared === 'uniform' ? 'uniform' : declared === 'storage,read_write' ? 'read_write' : 'read';
  }
  return kinds;
}

export interface PipelineRequest { shader: ShaderName; entryPoint?: string; constants?: Record<string, number> }

interface ShaderLayout { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout; writable: boolean[] }

export class Pipelines {
  private readonly modules = new Map<ShaderName, GPUShaderModule>();
  /** Per shader, its compile check: the error message, or null once it compiled cleanly. */
  private readonly moduleChecks = new Map<ShaderName, Promise<string | null>>();
  private readonly moduleErrors = new Map<ShaderName, string>();
  private readonly pipelines = new Map<string, PipelineRecord>();
  private readonly pipelineErrors = new Map<string, string>();
  private readonly layouts = new Map<ShaderName, ShaderLayout>();

  constructor(private readonly device: GPUDevice, private readonly sources: Readonly<Record<ShaderName, string>> = SHADERS,
    private readonly report: (check: Promise<void>) => void = () => {},
    private readonly fail: (message: string) => void = () => {}) {}

  private pipelineKey(shader: ShaderName, entryPoint: string, constants: Record<string, number>): string {
    const names = Object.keys(constants).sort();
    return `${shader}:${entryPoint}:${names.map((n) => `${n}=${constants[n]}`).join(',')}`;
  }

  /**
   * The shader's module, created on first use. Its compile check runs asynchronously: a
   * failure is recorded (reported by the next read/flush) and fails later uses at once.
   */
  private module(shader: ShaderName): GPUShaderModule {
    const known = this.modules.get(shader);
    if (known) return known;
    const code = this.sources[shader];
    if (code === undefined) throw new Error(`webgpu backend: no shader '${shader}'`);
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label: `sora ${shader}.wgsl`, code });
    const scope = this.device.popErrorScope();
    this.modules.set(shader, module);
    const check = (async () => {
      const problems: string[] = [];
      const info = typeof module.getCompilationInfo === 'function' ? await module.getCompilationInfo() : null;
      for (const m of info?.messages ?? []) {
        if (m.type === 'error') problems.push(`${shader}.wgsl:${m.lineNum}:${m.linePos}: ${m.message}`);
      }
      const error = await scope;
      if (error && problems.length === 0) problems.push(`${shader}.wgsl: ${error.message}`);
      if (problems.length === 0) return null;
      const message = `${shader}.wgsl failed to compile:\n${problems.join('\n')}`;
      this.moduleErrors.set(shader, message);
      this.fail(`webgpu backend: ${message}`);
      return message;
    })();
    this.moduleChecks.set(shader, check);
    this.report(check.then(() => undefined));
    return module;
  }

  /** The shader's explicit layout (see the header), created on first use. */
  private layout(shader: ShaderName): ShaderLayout {
    const known = this.layouts.get(shader);
    if (known) return known;
    const code = this.sources[shader];
    if (code === undefined) throw new Error(`webgpu backend: no shader '${shader}'`);
    const kinds = bindingKinds(code);
    const entries: GPUBindGroupLayoutEntry[] = kinds.map((kind, binding) => ({
      binding, visibility: 0x4, // GPUShaderStage.COMPUTE
      buffer: kind === 'uniform' ? { type: 'uniform', hasDynamicOffset: true }
        : { type: kind === 'read' ? 'read-only-storage' : 'storage' },
    }));
    const group = this.device.createBindGroupLayout({ label: `sora ${shader}`, entries });
    const layout = { group, pipeline: this.device.createPipelineLayout({ label: `sora ${shader}`, bindGroupLayouts: [group] }),
      writable: kinds.slice(1).map((kind) => kind === 'read_write') };
    this.layouts.set(shader, layout);
    return layout;
  }

  /** Throws, naming the kernel, when `shader` is known not to compile. */
  assertCompiles(shader: ShaderName, kernel: string): void {
    const failed = this.moduleErrors.get(shader);
    if (failed) throw new Error(`webgpu ${kernel}: ${failed}`);
  }

  /**
   * The cached pipeline, created on first use inside error scopes. Called once per kernel
   * variant (GPUContext.variant keeps the record), not per dispatch.
   */
  pipeline(shader: ShaderName, entryPoint: string, constants: Record<string, number>): PipelineRecord {
    const key = this.pipelineKey(shader, entryPoint, constants);
    const known = this.pipelines.get(key);
    if (known) return known;
    const failed = this.pipelineErrors.get(key);
    if (failed) throw new Error(failed);
    const what = `${shader}.wgsl entry '${entryPoint}' with constants ${JSON.stringify(constants)}`;
    this.device.pushErrorScope('validation');
    this.device.pushErrorScope('internal');
    let pipeline: GPUComputePipeline;
    let layouts: ShaderLayout;
    try {
      layouts = this.layout(shader);
      pipeline = this.device.createComputePipeline({
        label: `sora ${shader}:${entryPoint}`,
        layout: layouts.pipeline,
        compute: { module: this.module(shader), entryPoint, constants },
      });
    } catch (error) {
      void this.device.popErrorScope();
      void this.device.popErrorScope();
      const message = `webgpu backend: creating the pipeline for ${what} failed: ${(error as Error).message}`;
      this.pipelineErrors.set(key, message);
      throw new Error(message);
    }
    const internal = this.device.popErrorScope();
    const validation = this.device.popErrorScope();
    this.report(Promise.all([internal, validation]).then(([a, b]) => {
      const error = a ?? b;
      if (!error) return;
      const message = `webgpu backend: creating the pipeline for ${what} failed: ${error.message}`;
      this.pipelines.delete(key);
      this.pipelineErrors.set(key, message);
      record.failed = message;
      this.fail(message);
    }));
    const record: PipelineRecord = { pipeline, layout: layouts.group, writable: layouts.writable };
    this.pipelines.set(key, record);
    return record;
  }

  /** Compiles pipelines ahead of use (async, off the critical path); rejects naming the shader. */
  async compilePipelines(list: PipelineRequest[]): Promise<void> {
    await Promise.all(list.map(async ({ shader, entryPoint = 'main', constants = {} }) => {
      const key = this.pipelineKey(shader, entryPoint, constants);
      if (this.pipelines.has(key)) return;
      const what = `${shader}.wgsl entry '${entryPoint}' with constants ${JSON.stringify(constants)}`;
      // Some implementations (Deno's wgpu) resolve an invalid pipeline and report through
      // error scopes instead of rejecting: watch both.
      this.device.pushErrorScope('validation');
      this.device.pushErrorScope('internal');
      const layouts = this.layout(shader);
      const created = this.device.createComputePipelineAsync({
        label: `sora ${shader}:${entryPoint}`,
        layout: layouts.pipeline,
        compute: { module: this.module(shader), entryPoint, constants },
      });
      const internal = this.device.popErrorScope();
      const validation = this.device.popErrorScope();
      let pipeline: GPUComputePipeline;
      // The module's own compile errors, where it has any, say more than the pipeline's.
      const failure = async (message: string) => {
        const compileError = await this.moduleChecks.get(shader);
        return new Error(`webgpu backend: compiling ${what} failed: ${compileError ?? message}`);
      };
      try {
        pipeline = await created;
      } catch (error) {
        await Promise.allSettled([internal, validation]);
        throw await failure((error as Error).message);
      }
      const scoped = (await internal) ?? (await validation);
      if (scoped) throw await failure(scoped.message);
      this.pipelines.set(key, { pipeline, layout: layouts.group, writable: layouts.writable });
    }));
  }

  get moduleCount(): number { return this.modules.size; }
  get pipelineCount(): number { return this.pipelines.size; }
}
