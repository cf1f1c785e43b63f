/**
 * Why the trees gave one row its score: each feature's contribution to the log-odds, by following the
 * row's path through every tree and crediting each split's feature with the change of the node value
 * it caused (Saabas' path attribution; what treeinterpreter does for scikit-learn forests). The
 * contributions and the model's base add up exactly to the row's score, so the explanation a manager
 * reads is the model's own arithmetic, not a second model's guess. Pure.
 */
import type { BoostedTrees } from "@/server/predictions/rul/gradient-boosting";

export interface RowExplanation {
  /** the model's starting log-odds */
  base: number;
  /** log-odds added by each feature (same order as the model's features) */
  contributions: Float64Array;
  /** base + sum of contributions: the row's score (log-odds) */
  score: number;
}

export function explainRow(model: BoostedTrees, row: ArrayLike<number>): RowExplanation {
  if (row.length !== model.features) throw new Error(`the row has ${row.length} values, the model ${model.features} features`);
  const contributions = new Float64Array(model.features);
  // every row starts at each tree's root value: that part is credited to nobody (it joins the base)
  let base = model.base;
  for (const tree of model.trees) {
    base += tree.value[0]!;
    let node = 0;
    for (;;) {
      const f = tree.feature[node]!;
      if (f < 0) break;
      // NaN compares false and goes right, as in the model's own walk
      const next = row[f]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
      contributions[f]! += tree.value[next]! - tree.value[node]!;
      node = next;
    }
  }
  let score = base;
  for (const c of contributions) score += c;
  return { base, contributions, score };
}
