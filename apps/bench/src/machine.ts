/**
 * The machine and its load, printed with every result: CPU model, CPUs, memory,
 * versions and `/proc/loadavg` before and after.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';

/** A `/proc/self/status` field (kB in the file) in bytes, or null off Linux. */
export function procStatusBytes(field: string): number | null {
  try {
    const text = readFileSync('/proc/self/status', 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** `/proc/loadavg`'s three averages, or null off Linux. */
export function loadAverage(): [number, number, number] | null {
  try {
    const f = readFileSync('/proc/loadavg', 'utf8').trim().split(/\s+/).slice(0, 3).map(Number);
    return [f[0] ?? 0, f[1] ?? 0, f[2] ?? 0];
  } catch {
    return null;
  }
}

/** What the benchmark ran on. */
export interface MachineInfo {
  cpuModel: string;
  /** `os.availableParallelism()`: the CPUs this process may use. */
  cpus: number;
  memoryBytes: number;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cpus: availableParallelism(),
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}
