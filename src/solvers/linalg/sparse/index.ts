/** Sparse linear algebra for the CPU engine: CSC storage, AMD ordering, quasi-definite LDLᵀ, KKT. */
export * from './csc';
export * from './ops';
export * from './amd';
export * from './ldl';
export * from './factor';
export * from './kkt';
