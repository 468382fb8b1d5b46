import fc from 'fast-check';

/** Values MessagePack round-trips exactly (no -0, bigints within 64 bits, no `__proto__` keys). */
export const msgpackValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.integer(),
    fc.double().filter((d) => !Object.is(d, -0)),
    fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }),
    fc.date({ min: new Date('1000-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      fc.string().filter((k) => k !== '__proto__'),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;
