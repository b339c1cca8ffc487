// The benchmark's targets as numbers, so a run that misses one fails (exit 1) instead of only
// printing the target beside the figure. Pure, unit-tested in test/unit/bench-targets.test.ts.

/** One figure (a median, or a maximum where said) checked against its target: it must not exceed `max`. */
export interface TargetCheck {
  what: string;
  value: number;
  max: number;
  unit: string;
}

/** The checks whose value exceeds the target, as lines for the operator. */
export function missedTargets(checks: readonly TargetCheck[]): string[] {
  return checks
    .filter((check) => !Number.isFinite(check.value) || check.value > check.max)
    .map((check) => `${check.what}: ${check.value} ${check.unit} > target ${check.max} ${check.unit}`);
}
