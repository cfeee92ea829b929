import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitLen, isPowerOfTwo, lowBits, popCount, shl, shr, trailingZeros, xor } from './bits.js';

const u53 = fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 70 }), fc.constantFrom(2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 52, 2 ** 53 - 1));

describe('53-bit arithmetic agrees with BigInt', () => {
  it('xor, bitLen, trailingZeros, popCount, shifts, lowBits', () => {
    fc.assert(
      fc.property(u53, u53, fc.integer({ min: 0, max: 52 }), (a, b, k) => {
        const A = BigInt(a);
        const B = BigInt(b);
        expect(xor(a, b)).toBe(Number(A ^ B));
        expect(bitLen(a)).toBe(a === 0 ? 0 : A.toString(2).length);
        expect(trailingZeros(a)).toBe(a === 0 ? 64 : A.toString(2).length - A.toString(2).lastIndexOf('1') - 1);
        expect(popCount(a)).toBe([...A.toString(2)].filter((c) => c === '1').length);
        expect(shr(a, k)).toBe(Number(A >> BigInt(k)));
        expect(lowBits(a, k)).toBe(Number(A & ((1n << BigInt(k)) - 1n)));
        if (shr(Number.MAX_SAFE_INTEGER, k) >= b) expect(shl(b, k)).toBe(Number(B << BigInt(k)));
        expect(isPowerOfTwo(a)).toBe(a > 0 && (A & (A - 1n)) === 0n);
      }),
      { numRuns: 2000 },
    );
  });
});
