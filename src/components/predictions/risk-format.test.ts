import { describe, expect, it } from "vitest";
import {
  dataSentence,
  driverBars,
  formatDriverValue,
  holdoutSentence,
  importanceBars,
  isAbandoned,
  newerFailure,
  progressPercent,
  progressText,
  riskPollInterval,
  shownVersion,
  statusLook,
  thresholdSentence,
  trainErrorText,
  trainingOutcome,
  trainingVersion,
  versionSummary,
  type RiskCheck,
  type RiskModelData,
  type RiskVersion,
} from "./risk-format";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.UTC(2025, 9, 1, 12);

const check = (over: Partial<RiskCheck> = {}): RiskCheck => ({
  auc: 0.781,
  baseRate: 0.02,
  threshold: 0.33,
  precision: 0.412,
  recall: 0.634,
  brier: 0.03,
  trainingFailures: 14,
  holdoutFailures: 5,
  pumpSets: 10,
  trainingRows: 9000,
  split: "2025-07-02T12:00:00.000Z",
  to: "2025-10-01T12:00:00.000Z",
  trainSeconds: 1.2,
  ...over,
});

const version = (n: number, status: RiskVersion["status"], over: Partial<RiskVersion> = {}): RiskVersion => ({
  id: `m${n}`,
  version: n,
  status,
  progress: status === "training" ? 0.42 : null,
  // the newer the version, the more recently it began (version 9: ten minutes ago)
  createdAt: new Date(NOW - (10 - n) * 10 * MINUTE),
  trainedAt: status === "training" || status === "failed" ? null : new Date(NOW - (10 - n) * 10 * MINUTE + MINUTE),
  message: null,
  check: status === "failed" || status === "training" ? null : check(),
  importance: [],
  ...over,
});

const view = (versions: RiskVersion[]): RiskModelData => ({ key: "pump-failure-risk", name: "Booster pump set failure risk", horizonHours: 168, retrainEveryDays: 7, versions });

describe("which version the page shows", () => {
  it("shows the version in force, else the newest candidate, else none", () => {
    expect(shownVersion([version(4, "candidate"), version(3, "active"), version(2, "retired")])?.version).toBe(3);
    expect(shownVersion([version(4, "failed"), version(3, "candidate"), version(2, "candidate")])?.version).toBe(3);
    expect(shownVersion([version(2, "failed"), version(1, "retired")])).toBeNull();
    expect(shownVersion([])).toBeNull();
  });

  it("adds the newest failure only when it is newer than the shown version", () => {
    const failedLater = [version(5, "failed", { message: "not enough failures" }), version(4, "failed"), version(3, "active")];
    expect(newerFailure(failedLater, shownVersion(failedLater))?.version).toBe(5);
    const failedEarlier = [version(4, "active"), version(3, "failed")];
    expect(newerFailure(failedEarlier, shownVersion(failedEarlier))).toBeNull();
    // nothing usable at all: the newest failure says why
    expect(newerFailure([version(2, "failed"), version(1, "failed")], null)?.version).toBe(2);
  });

  it("follows a training under way and polls every second only then", () => {
    const training = [version(4, "training"), version(3, "active")];
    expect(trainingVersion(training, NOW)?.version).toBe(4);
    expect(riskPollInterval(view(training), NOW)).toBe(1000);
    expect(riskPollInterval(view([version(3, "active")]), NOW)).toBe(false);
    expect(riskPollInterval(undefined, NOW)).toBe(false);
  });

  it("gives up on a training whose process died (still 'training' hours later), as the server does", () => {
    const stale = version(4, "training", { createdAt: new Date(NOW - 3 * HOUR) });
    expect(isAbandoned(stale, NOW)).toBe(true);
    expect(trainingVersion([stale, version(3, "active")], NOW)).toBeNull();
    expect(riskPollInterval(view([stale]), NOW)).toBe(false);
    expect(versionSummary(stale, NOW)).toBe("its training stopped before it finished");
    expect(isAbandoned(version(4, "training", { createdAt: new Date(NOW - HOUR) }), NOW)).toBe(false);
  });
});

describe("status and progress", () => {
  it("names each status and what it means for the scores", () => {
    expect(statusLook("active").label).toBe("In force");
    expect(statusLook("candidate")).toMatchObject({ label: "Candidate", hint: "its scores are shown but not acted on" });
    expect(statusLook("failed").label).toBe("Failed");
    expect(statusLook("retired").label).toBe("Retired");
  });

  it("writes the progress as a whole percentage", () => {
    expect(progressText({ version: 3, progress: 0.424 })).toBe("Training version 3… 42 %");
    expect(progressPercent(null)).toBe(0);
    expect(progressPercent(1.3)).toBe(100);
    expect(progressPercent(-0.1)).toBe(0);
  });

  it("says in one line what a training came to", () => {
    expect(trainingOutcome(version(4, "active"))).toBe("Version 4 trained: in force.");
    expect(trainingOutcome(version(4, "candidate", { message: "ROC AUC on held-out hours is 0.60, below the 0.65 needed to act on its scores" }))).toBe(
      "Version 4 trained: a candidate, not put in force (why below).",
    );
    expect(trainingOutcome(version(5, "failed", { message: "not enough failures in the history to learn from." }))).toBe(
      "Version 5 not put in force: not enough failures in the history to learn from.",
    );
    expect(trainingOutcome(version(5, "failed"))).toBe("Version 5 not put in force.");
    expect(trainingOutcome(version(5, "training"))).toBeNull();
  });

  it("sums up each version of the list by its AUC, else why it failed", () => {
    expect(versionSummary(version(3, "retired", { check: check({ auc: 0.7 }) }), NOW)).toBe("ROC AUC 0.70");
    expect(versionSummary(version(2, "failed", { message: "not enough failures" }), NOW)).toBe("not enough failures");
    expect(versionSummary(version(2, "candidate", { check: check({ auc: null }), message: "ROC AUC undefined" }), NOW)).toBe("ROC AUC undefined");
    expect(versionSummary(version(5, "training"), NOW)).toBe("Training version 5… 42 %");
  });
});

describe("the held-out check in plain words", () => {
  it("says on what span, how well it ranks and what the AUC means", () => {
    expect(holdoutSentence(check())).toBe(
      "On the last 91 days of history, which it was not trained on, it ranked the hours before a failure above the others with ROC AUC 0.78 (0.5 = chance, 1 = perfect).",
    );
    expect(holdoutSentence(check({ split: "", to: "" }))).toMatch(/^On the latest part of its history, which it was not trained on, .* ROC AUC 0\.78/);
    expect(holdoutSentence(check({ auc: null }))).toMatch(/could not be measured/);
  });

  it("gives the threshold with its precision and recall", () => {
    expect(thresholdSentence(check())).toBe(
      "It acts from 33 % risk; at that threshold, 41 % of the flagged hours preceded a failure (precision) and it caught 63 % of the hours before a failure (recall).",
    );
    expect(thresholdSentence(check({ precision: null }))).toBe("It acts from 33 % risk; at that threshold it flagged none of the held-out hours.");
    expect(thresholdSentence(check({ precision: null }), false)).toBe("It would act from 33 % risk; at that threshold it flagged none of the held-out hours.");
  });

  it("counts the failures it learnt from and was checked on", () => {
    expect(dataSentence(check())).toBe("Learnt from 14 failures on 10 pump sets; checked on 5 later failures.");
    expect(dataSentence(check({ trainingFailures: 1, pumpSets: 1, holdoutFailures: 1 }))).toBe("Learnt from 1 failure on 1 pump set; checked on 1 later failure.");
  });
});

describe("training errors", () => {
  it("passes the server's CONFLICT message on as a sentence", () => {
    expect(trainErrorText({ message: "the failure-risk model is already being trained (version 3); wait for it to finish", data: { code: "CONFLICT" } })).toBe(
      "The failure-risk model is already being trained (version 3); wait for it to finish.",
    );
  });

  it("says what to do on other errors", () => {
    expect(trainErrorText({ message: "Failed to fetch", data: null })).toBe("Training could not be started (Failed to fetch). Check your connection and try again.");
    expect(trainErrorText({ message: "no", data: { code: "FORBIDDEN" } })).toBe("Only managers can train the model.");
  });
});

describe("bars", () => {
  const importance = [
    { feature: "flow_24h", description: "Mean flow", share: 0.05 },
    { feature: "vib_vs_baseline", description: "Vibration against its baseline", share: 0.4 },
    { feature: "vib_24h", description: "Mean vibration", share: 0.2 },
    { feature: "pressure_24h", description: "Mean pressure", share: 0.1 },
    { feature: "power_24h", description: "Mean power", share: 0.1 },
    { feature: "speed_24h", description: "Mean speed", share: 0.08 },
    { feature: "starts_24h", description: "Starts", share: 0.07 },
    { feature: "coverage_24h", description: "Coverage", share: 0 },
  ];

  it("charts the top six features, largest first, the widest bar full width", () => {
    const bars = importanceBars(importance);
    expect(bars.map((b) => b.key)).toEqual(["vib_vs_baseline", "vib_24h", "pressure_24h", "power_24h", "speed_24h", "starts_24h"]);
    expect(bars.map((b) => b.width)).toEqual([100, 50, 25, 25, 20, 18]);
    expect(bars[0]).toMatchObject({ label: "Vibration against its baseline", percent: 40 });
    expect(importanceBars(importance, 2)).toHaveLength(2);
    expect(importanceBars([])).toEqual([]);
  });

  it("draws each driver in proportion to the log-odds it added, with its value in its unit", () => {
    const bars = driverBars([
      { feature: "vib_vs_baseline", label: "Vibration against its baseline", unit: "ratio", value: 2.14, logOdds: 1.2 },
      { feature: "vib_change_7d", label: "Vibration change in a week", unit: "mm/s", value: 1.4, logOdds: 0.6 },
      { feature: "starts_24h", label: "Pump starts", unit: "count", value: 11.6, logOdds: 0.01 },
    ]);
    expect(bars.map((b) => [b.value, b.width])).toEqual([
      ["2.14×", 100],
      ["1.4 mm/s", 50],
      // a tiny contribution still shows as a sliver
      ["12", 2],
    ]);
  });

  it("writes driver values readably", () => {
    expect(formatDriverValue({ feature: "pressure_cv_24h", unit: "ratio", value: 0.083 })).toBe("±8 %");
    expect(formatDriverValue({ feature: "coverage_24h", unit: "ratio", value: 0.75 })).toBe("75 %");
    expect(formatDriverValue({ feature: "speed_24h", unit: "%", value: 81.4 })).toBe("81 %");
    expect(formatDriverValue({ feature: "hours_since_renewal", unit: "h", value: 820 })).toBe("34 days");
    expect(formatDriverValue({ feature: "hours_since_renewal", unit: "h", value: 30 })).toBe("30 hours");
    expect(formatDriverValue({ feature: "running_hours_since_renewal", unit: "h", value: 2549.4 })).toBe("2,549 h");
    expect(formatDriverValue({ feature: "specific_energy_24h", unit: "kWh/m³", value: 0.2345 })).toBe("0.23 kWh/m³");
    expect(formatDriverValue({ feature: "flow_24h", unit: "m³/h", value: 12.34 })).toBe("12.3 m³/h");
    expect(formatDriverValue({ feature: "vib_24h", unit: "mm/s", value: null })).toBe("no data");
  });
});
