/**
 * A test of behaviour functions/ does not have yet (see the reason): it passes while the assertion fails, and fails
 * once the code is fixed, so the fix comes with the reminder to turn it into a plain `it`.
 */
export function itFailsUntilFixed(title: string, reason: string, body: () => void | Promise<void>): void {
  it(`[known bug] ${title}`, async () => {
    try {
      await body();
    } catch {
      return; // still broken, as recorded
    }
    throw new Error(`Fixed: ${reason}. Turn this itFailsUntilFixed into a plain it().`);
  });
}
