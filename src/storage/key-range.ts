// The half-open key range [start, end) that holds every key beginning with a prefix, as etcd's
// clientv3.GetPrefixRangeEnd computes it: the prefix with its last byte that is below 0xff
// incremented. Both backends use it: etcd takes it as range_end, SQLite compares TEXT bytewise.

/** The exclusive end of the prefix's range as raw bytes; empty means "no upper bound". */
export function prefixRangeEnd(prefix: string): Buffer {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i] < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i] += 1;
      return end;
    }
  }
  return Buffer.alloc(0);
}
