/// The resilience score's parts (docs/scoring.md): each SLO is scored by the fraction of its error
/// budget left, clamped to 0…1, and the score is 100 × the weighted mean over the SLOs judged.
public enum ResilienceScore {
    /// The fraction (0–1) of an objective's error budget that a value leaves.
    ///
    /// - Ratios with a lower bound (`>= 99.5%`): the budget is `100 − objective`; left = (value − objective) / budget.
    /// - Upper bounds (`<= 250ms`, `<= 90s`, `<= 2`): the budget is the threshold; left = (threshold − value) / threshold.
    /// - Other lower bounds (`>= 6` replicas, `>= 100/s`): 1 when met, else value / threshold.
    public static func budgetLeft(value: Double, objective: Objective) -> Double {
        let t = objective.threshold
        let raw: Double
        switch objective.comparison {
        case .atLeast, .above:
            if objective.unit == .percentage {
                raw = t >= 100 ? (value >= 100 ? 1 : 0) : (value - t) / (100 - t)
            } else {
                raw = objective.isMet(by: value) ? 1 : (t > 0 ? value / t : 0)
            }
        case .atMost, .below:
            raw = t > 0 ? (t - value) / t : (objective.isMet(by: value) ? 1 : 0)
        }
        guard raw.isFinite else { return 0 }
        return min(1, max(0, raw))
    }
}
