/**
 * A node's attributes as model.json stores them (TensorFlow's AttrValue in protobuf JSON:
 * int64 as decimal strings, strings in base64, dtypes as 'DT_FLOAT'), read on demand with the
 * type the caller expects. A missing attribute with no default, or one of the wrong kind, is an
 * Error naming the node, its op and the attribute.
 */
import type { DType } from '../backends/backend.js';

/** TF's DataType names as sora dtypes (TF.js's mapping: 64-bit and small ints read as int32, double and half as float32). */
const DTYPES: Readonly<Record<string, DType>> = Object.freeze(Object.assign(Object.create(null) as Record<string, DType>, {
  DT_FLOAT: 'float32', DT_DOUBLE: 'float32', DT_HALF: 'float32', DT_BFLOAT16: 'float32',
  DT_INT32: 'int32', DT_INT64: 'int32', DT_INT16: 'int32', DT_INT8: 'int32', DT_UINT8: 'int32', DT_UINT16: 'int32',
  DT_UINT32: 'int32', DT_UINT64: 'int32', DT_BOOL: 'bool', DT_STRING: 'string', DT_COMPLEX64: 'complex64',
}));

/** The sora dtype of a TF DataType name ('DT_FLOAT' -> 'float32'), or undefined for one sora has no dtype for. */
export function tfDType(name: unknown): DType | undefined {
  return typeof name === 'string' ? DTYPES[name] : undefined;
}

/** A shape attribute: the dims (-1 for unknown), or undefined when even the rank is unknown. */
export type AttrShape = number[] | undefined;

/** An inline tensor attribute (rare in converted graphs: Const values live in the weights). */
export interface AttrTensor {
  /** Its dtype. */
  dtype: DType;
  /** Its shape. */
  shape: number[];
  /** Its values as given inline, if any. */
  values?: number[] | string[] | boolean[];
}

type RawAttr = Record<string, unknown>;

function base64ToText(value: string): string {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

function int(value: unknown): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || !Number.isInteger(n)) throw new TypeError(`expected an integer, got ${JSON.stringify(value)}`);
  return n;
}

function float(value: unknown): number {
  // protobuf JSON writes NaN and Infinity as strings.
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number') throw new TypeError(`expected a number, got ${JSON.stringify(value)}`);
  return n;
}

function shape(value: unknown): AttrShape {
  if (value === null || typeof value !== 'object') throw new TypeError(`expected a shape, got ${JSON.stringify(value)}`);
  const s = value as { dim?: { size?: unknown }[]; unknownRank?: boolean };
  if (s.unknownRank === true) return undefined;
  return (s.dim ?? []).map((d) => (d.size === undefined ? 0 : int(d.size)));
}

function dtype(value: unknown): DType {
  const d = tfDType(value);
  if (d === undefined) throw new TypeError(`unsupported dtype ${JSON.stringify(value)}`);
  return d;
}

function tensor(value: unknown): AttrTensor {
  if (value === null || typeof value !== 'object') throw new TypeError(`expected a tensor, got ${JSON.stringify(value)}`);
  const t = value as Record<string, unknown>;
  const out: AttrTensor = { dtype: dtype(t.dtype), shape: shape(t.tensorShape ?? {}) ?? [] };
  const values = t.floatVal ?? t.intVal ?? t.int64Val ?? t.boolVal ?? t.stringVal ?? t.doubleVal ?? t.halfVal;
  if (Array.isArray(values)) {
    out.values = t.stringVal !== undefined ? (values as string[]).map(base64ToText)
      : t.boolVal !== undefined ? (values as boolean[]).slice() : values.map((v) => float(v));
  }
  return out;
}

/** Reads one node's attributes; `where` ("node 'conv1' (Conv2D)") opens every error. */
export class Attrs {
  private readonly raw: Readonly<Record<string, RawAttr>>;
  /**
   * Values decoded once, by kind and name: a handler reads its attributes on every run, and decoding a
   * string (base64, then UTF-8) costs a microsecond. Lists come back as copies, so callers may mutate them.
   */
  private readonly decoded = new Map<string, Map<string, unknown>>();

  constructor(raw: unknown, private readonly where: string) {
    const table = Object.create(null) as Record<string, RawAttr>;
    if (raw !== undefined && raw !== null) {
      if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where}: expected attr to be an object, got ${JSON.stringify(raw)?.slice(0, 80)}`);
      for (const [key, value] of Object.entries(raw)) {
        if (value === null || typeof value !== 'object') throw new Error(`${where}: attr '${key}' is not an AttrValue object`);
        table[key] = value as RawAttr;
      }
    }
    this.raw = table;
  }

  /** The attribute names present. */
  names(): string[] {
    return Object.keys(this.raw);
  }

  /** True when the attribute is present. */
  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  /** `slot` names the memo a decoded value is kept in (null: decoded on every read). */
  private read<T>(name: string, kind: string, fallback: T | undefined, pick: (raw: RawAttr) => T | undefined,
    slot: string | null = kind): T {
    const memo = slot === null ? undefined : this.decoded.get(slot);
    const known = memo?.get(name);
    if (known !== undefined) return known as T;
    const raw = this.raw[name];
    // An AttrValue with no field set ({}) is how protobuf JSON writes an unset value: read it as absent.
    if (raw === undefined || Object.keys(raw).length === 0) {
      if (fallback !== undefined) return fallback;
      throw new Error(`${this.where}: the attribute '${name}' is missing (expected ${kind})`);
    }
    let value: T | undefined;
    try {
      value = pick(raw);
    } catch (error) {
      throw new Error(`${this.where}: attribute '${name}': ${(error as Error).message}`, { cause: error });
    }
    if (value === undefined) {
      throw new Error(`${this.where}: attribute '${name}' is ${JSON.stringify(raw).slice(0, 80)}, not ${kind}`);
    }
    if (slot !== null) {
      if (memo === undefined) this.decoded.set(slot, new Map([[name, value]]));
      else memo.set(name, value);
    }
    return value;
  }

  private list<T>(name: string, kind: string, key: string, fallback: T[] | undefined, each: (v: unknown) => T): T[] {
    const value = this.read(name, `a list of ${kind}`, fallback, (raw) => {
      const list = raw.list as Record<string, unknown> | undefined;
      if (list === undefined || typeof list !== 'object') return undefined;
      const items = list[key];
      return items === undefined ? [] : Array.isArray(items) ? items.map(each) : undefined;
    }, key);
    // The memo's array is not handed out: a caller may change its copy.
    return value === fallback ? value : value.slice();
  }

  /** An int attribute (TF's int64 'i'). */
  int(name: string, fallback?: number): number {
    return this.read(name, 'an int', fallback, (r) => (r.i === undefined ? undefined : int(r.i)));
  }

  /** A float attribute ('f'). */
  float(name: string, fallback?: number): number {
    return this.read(name, 'a float', fallback, (r) => (r.f === undefined ? undefined : float(r.f)));
  }

  /** A bool attribute ('b'). */
  bool(name: string, fallback?: boolean): boolean {
    return this.read(name, 'a bool', fallback, (r) => (r.b === undefined ? undefined : r.b === true || r.b === 'true'));
  }

  /** A string attribute ('s', base64 in the file), decoded as UTF-8: 'SAME', 'NHWC'. */
  string(name: string, fallback?: string): string {
    return this.read(name, 'a string', fallback, (r) => (typeof r.s === 'string' ? base64ToText(r.s) : undefined));
  }

  /** A dtype attribute ('type': 'DT_FLOAT' -> 'float32'). */
  dtype(name: string, fallback?: DType): DType {
    return this.read(name, 'a dtype', fallback, (r) => (r.type === undefined ? undefined : dtype(r.type)));
  }

  /** A shape attribute; undefined for an unknown rank. */
  shape(name: string): AttrShape {
    return this.read(name, 'a shape', undefined, (r) => (r.shape === undefined ? undefined : { s: shape(r.shape) })).s?.slice();
  }

  /** An inline tensor attribute. */
  tensor(name: string): AttrTensor {
    return this.read(name, 'a tensor', undefined, (r) => (r.tensor === undefined ? undefined : tensor(r.tensor)), null);
  }

  /** A function attribute ('func': {name}): the library function's name. */
  func(name: string): string {
    return this.read(name, 'a function', undefined, (r) => {
      const f = r.func as { name?: unknown } | undefined;
      return f !== undefined && typeof f.name === 'string' ? f.name : undefined;
    });
  }

  /** A list of ints ('list': {i: [...]}). */
  ints(name: string, fallback?: number[]): number[] {
    return this.list(name, 'ints', 'i', fallback, int);
  }

  /** A list of floats. */
  floats(name: string, fallback?: number[]): number[] {
    return this.list(name, 'floats', 'f', fallback, float);
  }

  /** A list of strings ('list': {s: [...]}, base64 each): _FusedConv2D's fused_ops. */
  strings(name: string, fallback?: string[]): string[] {
    return this.list(name, 'strings', 's', fallback, (v) => {
      if (typeof v !== 'string') throw new TypeError(`expected a base64 string, got ${JSON.stringify(v)}`);
      return base64ToText(v);
    });
  }

  /** A list of dtypes. */
  dtypes(name: string, fallback?: DType[]): DType[] {
    return this.list(name, 'dtypes', 'type', fallback, dtype);
  }

  /** A list of shapes. */
  shapes(name: string, fallback?: AttrShape[]): AttrShape[] {
    return this.list(name, 'shapes', 'shape', fallback, shape).map((s) => s?.slice());
  }

  /**
   * Every attribute decoded by its kind, as TF.js hands them to a custom op (registerOp):
   * ints and floats as numbers, strings decoded, dtypes as sora dtypes, shapes as arrays, lists as arrays.
   */
  toObject(): Record<string, unknown> {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [key, raw] of Object.entries(this.raw)) {
      try {
        if (raw.i !== undefined) out[key] = int(raw.i);
        else if (raw.f !== undefined) out[key] = float(raw.f);
        else if (raw.b !== undefined) out[key] = raw.b === true;
        else if (raw.s !== undefined) out[key] = base64ToText(String(raw.s));
        else if (raw.type !== undefined) out[key] = tfDType(raw.type) ?? raw.type;
        else if (raw.shape !== undefined) out[key] = shape(raw.shape);
        else if (raw.tensor !== undefined) out[key] = tensor(raw.tensor);
        else if (raw.func !== undefined) out[key] = (raw.func as { name?: string }).name;
        else if (raw.list !== undefined) {
          const list = raw.list as Record<string, unknown[] | undefined>;
          out[key] = list.i ? list.i.map(int) : list.f ? list.f.map(float) : list.s ? list.s.map((v) => base64ToText(String(v)))
            : list.b ? list.b.slice() : list.type ? list.type.map((t) => tfDType(t) ?? t) : list.shape ? list.shape.map(shape) : [];
        }
      } catch (error) {
        throw new Error(`${this.where}: attribute '${key}': ${(error as Error).message}`, { cause: error });
      }
    }
    return out;
  }
}
