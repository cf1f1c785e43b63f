// How a detector's 0/1 flags compare with labels, the way SKAB scores it: point-wise F1, false-alarm
// rate (flags among normal rows), missed-alarm rate, and the delay from each labelled segment's start
// to its first flag.

export interface DetectionQuality {
  f1: number;
  precision: number;
  recall: number;
  /** flagged normal rows / normal rows */
  falseAlarmRate: number;
  /** unflagged anomalous rows / anomalous rows */
  missedAlarmRate: number;
  /** rows from each segment's first labelled row to its first flag; null when never flagged */
  delays: (number | null)[];
}

export function evaluateDetection(labels: readonly (0 | 1)[], flags: readonly (0 | 1)[]): DetectionQuality {
  if (labels.length !== flags.length) throw new Error(`labels (${labels.length}) and flags (${flags.length}) differ in length`);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  const delays: (number | null)[] = [];
  let segmentStart = -1;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    const f = flags[i];
    if (l && f) tp++;
    else if (!l && f) fp++;
    else if (l && !f) fn++;
    else tn++;
    if (l && (i === 0 || !labels[i - 1])) {
      segmentStart = i;
      delays.push(null);
    }
    if (l && f && delays[delays.length - 1] === null && segmentStart >= 0) delays[delays.length - 1] = i - segmentStart;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return {
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    precision,
    recall,
    falseAlarmRate: fp + tn ? fp / (fp + tn) : 0,
    missedAlarmRate: tp + fn ? fn / (tp + fn) : 0,
    delays,
  };
}
