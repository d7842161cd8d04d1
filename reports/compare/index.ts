/**
 * `compare(base, current)`: two conformance runs (changed outcomes) or two
 * load runs (metric deltas with a distribution-free test). The CLI's
 * `smtptest compare` is a thin layer over this.
 */
import { SmtpTestError } from '../../harness/errors.ts';
import type { ResultsFile } from '../html/inputs.ts';
import { compareConformance } from './conformance.ts';
import { compareLoad } from './load.ts';
import type { CompareResult, ConformanceThresholds, LoadThresholds } from './types.ts';

export { compareConformance, DEFAULT_CONFORMANCE_THRESHOLDS } from './conformance.ts';
export { compareLoad, DEFAULT_LOAD_THRESHOLDS } from './load.ts';
export { formatComparison } from './console.ts';
export type * from './types.ts';

export interface CompareThresholds {
  conformance?: Partial<ConformanceThresholds>;
  load?: Partial<LoadThresholds>;
}

/** Compares two results files of the same kind; E_CONFIG when one is conformance and the other load. */
export function compareResults(base: ResultsFile, current: ResultsFile, thresholds: CompareThresholds = {}): CompareResult {
  const files = { base: base.file, current: current.file };
  if (base.kind === 'conformance' && current.kind === 'conformance') return compareConformance(base.run, current.run, thresholds.conformance, files);
  if (base.kind === 'load' && current.kind === 'load') return compareLoad(base.run, current.run, thresholds.load, files);
  throw new SmtpTestError('E_CONFIG', `cannot compare ${base.kind} results (${base.file}) with ${current.kind} results (${current.file})`);
}
