/** Dense linear algebra for the CPU engine and the backward pass. */
export * from './dense';
export * from './cholesky';
export * from './ldl';
export * from './eigen';
export * from './linsys';
export * from './sparse';
