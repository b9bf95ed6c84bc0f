/**
 * S3 sequencers order the events of one key. AWS: compare them as hexadecimal strings after
 * right-padding the shorter one with zeros. A fixed-width, upper-case form makes that comparison a plain
 * string comparison, which DynamoDB condition expressions can do.
 */
const ORDER_WIDTH = 32;

export function sequencerOrder(sequencer: string): string {
  const normalized = sequencer.trim().toUpperCase();
  if (!/^[0-9A-F]{1,64}$/.test(normalized)) {
    throw new RangeError(`Not an S3 sequencer: "${sequencer}"`);
  }
  // Trailing zeros do not change a right-padded value: dropping them first keeps equal sequencers equal strings.
  const significant = normalized.replace(/0+$/, '');
  return significant.padEnd(Math.max(ORDER_WIDTH, significant.length), '0');
}

export function compareSequencers(a: string, b: string): number {
  const left = sequencerOrder(a);
  const right = sequencerOrder(b);
  const width = Math.max(left.length, right.length);
  const l = left.padEnd(width, '0');
  const r = right.padEnd(width, '0');
  return l < r ? -1 : l > r ? 1 : 0;
}
