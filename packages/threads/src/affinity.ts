/**
 * Counts the CPUs in a Linux CPU list such as `0-3,8,10-11` (the format of
 * `Cpus_allowed_list` in `/proc/<pid>/status` and of cpuset files).
 *
 * @returns the number of CPUs, or `null` when the list is malformed or empty.
 * @example
 * ```ts
 * countCpuList('0-3,8,10-11'); // 7
 * countCpuList(''); // null
 * ```
 */
export function countCpuList(list: string): number | null {
  const text = list.trim();
  if (text === '') return null;
  const seen = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo || hi - lo > 1 << 20) return null;
    for (let c = lo; c <= hi; c++) seen.add(c);
  }
  return seen.size;
}

/**
 * Extracts and counts `Cpus_allowed_list` from the text of `/proc/self/status`.
 *
 * @returns the number of CPUs this process may run on, or `null` when the field is
 * absent or malformed.
 * @example
 * ```ts
 * affinityFromStatus('Name:\tnode\nCpus_allowed_list:\t0-1\n'); // 2
 * ```
 */
export function affinityFromStatus(status: string): number | null {
  const m = /^Cpus_allowed_list:\s*(.*)$/m.exec(status);
  return m?.[1] === undefined ? null : countCpuList(m[1]);
}
