import { AppError } from "@/server/errors";
import { fitBoostedTrees, predictBoostedTrees, type BoostingOptions } from "./gradient-boosting";
import { fitConditions, normaliseSensors } from "./operating-conditions";
import { columnIndex, numericColumn, type RawTable } from "./read-table";
import { featureNames, PER_SENSOR, writeWindowFeatures } from "./window-features";

export interface RulRequest {
  train: RawTable;
  test: RawTable;
  unitColumn: string;
  timeColumn: string;
  exclude?: string[];
  boosting?: Partial<BoostingOptions>;
  log?: (message: string) => void;
}

export interface RulPrediction {
  unit: string;
  rul: number;
}

export interface RulResult {
  predictions: RulPrediction[];
  /** the RUL target cap, in time-column units */
  cap: number;
  sensors: string[];
  conditions: number;
  trainRows: number;
  trainUnits: number;
}

/**
 * The piecewise-linear target caps RUL at this share of the median training life. Early in life a
 * unit shows no wear, so "RUL = failure - now" is unlearnable there and the model would chase
 * noise; flat until wear starts, then linear, is the usual C-MAPSS target. 0.65 x the median life
 * gives ~129 cycles on FD001/FD002, the 125-130 the literature uses, and scales with other data.
 */
export const CAP_SHARE = 0.65;

interface Units {
  /** unit value -> row indexes in time order, in order of first appearance */
  rows: Map<string, number[]>;
  time: Float64Array;
}

function groupUnits(table: RawTable, unitIndex: number, time: Float64Array): Units {
  const rows = new Map<string, number[]>();
  for (let r = 0; r < table.rows.length; r++) {
    const unit = table.rows[r]![unitIndex]!;
    if (unit === "") throw new AppError("BAD_REQUEST", `${table.name} line ${table.lines[r]}, column ${table.columns[unitIndex]}: the unit is empty.`);
    const list = rows.get(unit);
    if (list) list.push(r);
    else rows.set(unit, [r]);
  }
  // Array.prototype.sort is stable: rows with equal times keep their file order
  for (const list of rows.values()) if (list.some((r, i) => i > 0 && time[r]! < time[list[i - 1]!]!)) list.sort((a, b) => time[a]! - time[b]!);
  return { rows, time };
}

/** The feature columns of `table` in the training file's order (by name, or by position when neither file has a header). */
function featureColumns(table: RawTable, names: string[], trainTable: RawTable): Float64Array[] {
  if (!table.hasHeader && !trainTable.hasHeader && table.columns.length !== trainTable.columns.length) {
    throw new AppError("BAD_REQUEST", `${table.name} has ${table.columns.length} columns, but ${trainTable.name} has ${trainTable.columns.length}: both need the same columns.`);
  }
  return names.map((name) => {
    const i = table.columns.indexOf(name);
    if (i < 0) throw new AppError("BAD_REQUEST", `column "${name}" of ${trainTable.name} is missing from ${table.name} (leave it out of both with --exclude ${name}).`);
    return numericColumn(table, i, true);
  });
}

/** Feature rows of units: all rows of each unit, or only its last row. */
function buildFeatures(units: Units, sensors: Float64Array[], which: "all" | "last"): { x: Float64Array; order: { unit: string; row: number; index: number }[] } {
  const width = 1 + PER_SENSOR * sensors.length;
  let count = 0;
  for (const list of units.rows.values()) count += which === "all" ? list.length : 1;
  const x = new Float64Array(count * width);
  const order: { unit: string; row: number; index: number }[] = [];
  let at = 0;
  for (const [unit, list] of units.rows) {
    const t0 = units.time[list[0]!]!;
    const elapsed = Float64Array.from(list, (r) => units.time[r]! - t0);
    const unitSensors = sensors.map((col) => Float64Array.from(list, (r) => col[r]!));
    const from = which === "all" ? 0 : list.length - 1;
    writeWindowFeatures(unitSensors, elapsed, from, list.length, x, at);
    for (let k = from; k < list.length; k++) order.push({ unit, row: list[k]!, index: k });
    at += list.length - from;
  }
  return { x, order };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The learning problem: training feature rows with capped RUL targets, and one feature row per test unit. */
export interface RulDataset {
  x: Float64Array;
  y: Float64Array;
  width: number;
  testX: Float64Array;
  /** test units in order of first appearance, one per row of testX */
  testUnits: string[];
  cap: number;
  sensors: string[];
  conditions: number;
  trainUnits: number;
}

/** Reads, checks and turns both tables into features (everything but the model). */
export function buildRulDataset(req: RulRequest): RulDataset {
  const log = req.log ?? (() => undefined);
  const { train, test } = req;
  if (train.rows.length === 0) throw new AppError("BAD_REQUEST", `${train.name} has no data rows: it needs run-to-failure units.`);
  if (test.rows.length === 0) throw new AppError("BAD_REQUEST", `${test.name} has no data rows: it needs at least one unit to predict.`);
  if (req.unitColumn === req.timeColumn) throw new AppError("BAD_REQUEST", `--unit-column and --time-column both name "${req.unitColumn}": they need two different columns.`);
  const exclude = new Set(req.exclude ?? []);
  for (const name of exclude) {
    columnIndex(train, name, "--exclude");
    if (test.hasHeader) columnIndex(test, name, "--exclude");
  }
  for (const [flag, name] of [["--unit-column", req.unitColumn], ["--time-column", req.timeColumn]] as const) {
    if (exclude.has(name)) throw new AppError("BAD_REQUEST", `${flag} "${name}" is also in --exclude.`);
  }
  const trainUnitIndex = columnIndex(train, req.unitColumn, "--unit-column");
  const trainTimeIndex = columnIndex(train, req.timeColumn, "--time-column");
  const testUnitIndex = columnIndex(test, req.unitColumn, "--unit-column");
  const testTimeIndex = columnIndex(test, req.timeColumn, "--time-column");
  const names = train.columns.filter((c) => c !== req.unitColumn && c !== req.timeColumn && !exclude.has(c));
  if (names.length === 0) throw new AppError("BAD_REQUEST", `${train.name} has no sensor columns left besides the unit and time columns.`);

  const trainUnits = groupUnits(train, trainUnitIndex, numericColumn(train, trainTimeIndex, false));
  const testUnits = groupUnits(test, testUnitIndex, numericColumn(test, testTimeIndex, false));
  const trainColumns = featureColumns(train, names, train);
  const testColumns = featureColumns(test, names, train);

  // targets: time left to the unit's last (failure) row, capped
  const lives = [...trainUnits.rows.values()].map((list) => trainUnits.time[list[list.length - 1]!]! - trainUnits.time[list[0]!]!);
  const cap = CAP_SHARE * median(lives);
  if (!(cap > 0)) throw new AppError("BAD_REQUEST", `the units of ${train.name} show no life span (median first-to-last time is 0): training units must run from start to failure over several rows.`);

  const conditions = fitConditions(trainColumns);
  const sensorNames = conditions.sensors.map((f) => names[f]!);
  log(`rul: ${trainUnits.rows.size} training units, ${train.rows.length} rows; ${conditions.centroids.length} operating condition(s)${conditions.conditionColumns.length ? ` from ${conditions.conditionColumns.map((f) => names[f]).join(", ")}` : ""}; ${sensorNames.length} sensors used, ${names.length - sensorNames.length} constant dropped; RUL capped at ${cap.toFixed(1)}`);
  if (sensorNames.length === 0) throw new AppError("BAD_REQUEST", `every sensor column of ${train.name} is constant: there is nothing to learn wear from.`);

  const trainFeatures = buildFeatures(trainUnits, normaliseSensors(conditions, trainColumns), "all");
  const y = new Float64Array(trainFeatures.order.length);
  trainFeatures.order.forEach((o, i) => {
    const list = trainUnits.rows.get(o.unit)!;
    y[i] = Math.min(cap, trainUnits.time[list[list.length - 1]!]! - trainUnits.time[o.row]!);
  });
  const width = featureNames(sensorNames).length;
  const testFeatures = buildFeatures(testUnits, normaliseSensors(conditions, testColumns), "last");
  return {
    x: trainFeatures.x,
    y,
    width,
    testX: testFeatures.x,
    testUnits: testFeatures.order.map((o) => o.unit),
    cap,
    sensors: sensorNames,
    conditions: conditions.centroids.length,
    trainUnits: trainUnits.rows.size,
  };
}

/**
 * Trains on run-to-failure units and predicts the remaining useful life of each test unit at its
 * last row, in time-column units, units in order of first appearance in the test file.
 */
export function predictRul(req: RulRequest): RulResult {
  const log = req.log ?? (() => undefined);
  const data = buildRulDataset(req);
  const started = performance.now();
  const model = fitBoostedTrees(data.x, data.y, data.width, req.boosting);
  log(`rul: trained ${model.trees.length} boosted trees on ${data.y.length} rows x ${data.width} features in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const raw = predictBoostedTrees(model, data.testX);
  const predictions = data.testUnits.map((unit, i) => ({ unit, rul: Math.max(0, raw[i]!) }));
  return { predictions, cap: data.cap, sensors: data.sensors, conditions: data.conditions, trainRows: data.y.length, trainUnits: data.trainUnits };
}

/** Baseline: the mean training life minus the time a test unit has run, at least 0. */
export function meanLifeBaseline(req: Pick<RulRequest, "train" | "test" | "unitColumn" | "timeColumn">): RulPrediction[] {
  const span = (table: RawTable) => {
    const units = groupUnits(table, columnIndex(table, req.unitColumn, "--unit-column"), numericColumn(table, columnIndex(table, req.timeColumn, "--time-column"), false));
    return [...units.rows].map(([unit, list]) => ({ unit, span: units.time[list[list.length - 1]!]! - units.time[list[0]!]! }));
  };
  const lives = span(req.train);
  const meanLife = lives.reduce((a, b) => a + b.span, 0) / lives.length;
  return span(req.test).map((u) => ({ unit: u.unit, rul: Math.max(0, meanLife - u.span) }));
}
