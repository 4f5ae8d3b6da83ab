import { describe, expect, it } from 'vitest';
import { Attrs, tfDType } from '../../src/graph/attrs.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('graph attrs', () => {
  const attrs = new Attrs({
    strides: { list: { i: ['1', '2', '2', '1'] } }, padding: { s: b64('SAME') }, T: { type: 'DT_FLOAT' },
    alpha: { f: 0.2 }, keep: { b: true }, n: { i: '3' }, unset: {}, shape: { shape: { dim: [{ size: '-1' }, { size: '3' }] } },
    any: { shape: { unknownRank: true } }, ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } }, body: { func: { name: 'while_body_1' } },
    empty: { list: {} }, nan: { f: 'NaN' },
  }, "node 'n1' (Test)");

  it('reads each kind', () => {
    expect(attrs.ints('strides')).toEqual([1, 2, 2, 1]);
    expect(attrs.string('padding')).toBe('SAME');
    expect(attrs.dtype('T')).toBe('float32');
    expect(attrs.float('alpha')).toBeCloseTo(0.2);
    expect(attrs.bool('keep')).toBe(true);
    expect(attrs.int('n')).toBe(3);
    expect(attrs.shape('shape')).toEqual([-1, 3]);
    expect(attrs.shape('any')).toBeUndefined();
    expect(attrs.strings('ops')).toEqual(['BiasAdd', 'Relu']);
    expect(attrs.func('body')).toBe('while_body_1');
    expect(attrs.ints('empty')).toEqual([]);
    expect(attrs.float('nan')).toBeNaN();
    expect(tfDType('DT_INT64')).toBe('int32');
    expect(tfDType('DT_RESOURCE')).toBeUndefined();
  });

  it('decodes once and hands out lists as copies (a caller may change its own)', () => {
    const a = new Attrs({ strides: { list: { i: ['1', '2', '2', '1'] } }, pad: { s: b64('SAME') },
      shape: { shape: { dim: [{ size: '2' }] } }, shapes: { list: { shape: [{ dim: [{ size: '4' }] }] } } }, "node 'n2' (Test)");
    const first = a.ints('strides');
    first.reverse();
    first.push(9);
    expect(a.ints('strides')).toEqual([1, 2, 2, 1]);
    a.shape('shape')!.push(5);
    expect(a.shape('shape')).toEqual([2]);
    a.shapes('shapes')[0]!.push(5);
    expect(a.shapes('shapes')).toEqual([[4]]);
    expect(a.string('pad')).toBe('SAME');
    expect(a.string('pad')).toBe('SAME');
    // A read of another kind is not served from the memo of the first.
    expect(() => a.int('pad')).toThrow(/attribute 'pad' is .* not an int/);
  });

  it('uses the fallback only for an absent or unset attribute', () => {
    expect(attrs.int('missing', 7)).toBe(7);
    expect(attrs.bool('unset', false)).toBe(false);
    expect(() => attrs.int('missing')).toThrow(/node 'n1' \(Test\): the attribute 'missing' is missing/);
    // Present but of another kind: an error naming it, not a silent default.
    expect(() => attrs.int('padding', 1)).toThrow(/attribute 'padding' is .* not an int/);
    expect(() => attrs.string('strides', 'VALID')).toThrow(/attribute 'strides'/);
  });

  it('decodes everything for custom ops, in a table without a prototype', () => {
    const all = attrs.toObject();
    expect(all.strides).toEqual([1, 2, 2, 1]);
    expect(all.padding).toBe('SAME');
    expect(all.ops).toEqual(['BiasAdd', 'Relu']);
    expect(Object.getPrototypeOf(all)).toBeNull();
  });

  it('refuses a malformed attr table', () => {
    expect(() => new Attrs([1], 'n')).toThrow(/expected attr to be an object/);
    expect(() => new Attrs({ x: 3 }, 'n')).toThrow(/attr 'x' is not an AttrValue/);
    const proto = JSON.parse('{"__proto__": {"i": "1"}}') as object;
    const a = new Attrs(proto, 'n');
    expect(a.int('__proto__')).toBe(1);
    expect(({} as Record<string, unknown>).i).toBeUndefined();
  });
});
