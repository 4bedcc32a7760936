/** The `grad` command; its implementation is written separately (see docs/gradients.md). */
export async function gradCommand(_argv: string[]): Promise<number> {
  throw new Error('grad: not available yet');
}
