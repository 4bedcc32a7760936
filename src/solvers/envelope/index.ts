/** LPGD's Figure 1: Lagrange–Moreau envelopes of a box LP's loss along a cut through cost space. */
export * from './cut';
export * from './envelope';
export * from './solve';
