// One colour per run status, shared by the banner and the trend, so a colour means the same everywhere.
// Each keeps white text readable (contrast ≥ 4.5:1).
import type { RunRecord } from '../state/runs.ts';

export const STATUS_COLOURS: Record<RunRecord['status'], string> = {
  succeeded: '#1b7f3b',
  'dry-run': '#35609c',
  skipped: '#5b6470',
  partial: '#a35f00',
  refused: '#8c1d5a',
  failed: '#b3261e',
  // A run that never wrote its report: still going, or killed hard.
  running: '#6b5b95',
};

/** The banner of a run that succeeded but left members untouched: amber, it wants a look (white text stays readable). */
export const UNTOUCHED_BANNER_COLOUR = '#946200';
