/// Envoy's split of traffic over priority levels (SEMANTICS.md §4.2).
public enum PriorityLoad {
    /// The share of traffic (0–100) each priority takes, given healthy and total hosts per priority.
    ///
    /// `health(P) = min(100, OF·100·healthy/total)`, `T = min(100, Σ health)`; P0 takes
    /// `min(100, h0·100/T)`, each next priority `min(100 − Σ earlier, hi·100/T)`. With no healthy
    /// host anywhere every share is 0.
    public static func loads(healthy: [Int], total: [Int], overprovisioningFactor: Double = 1.4) -> [Double] {
        let health = zip(healthy, total).map { h, t in t == 0 ? 0 : min(100, overprovisioningFactor * 100 * Double(h) / Double(t)) }
        let sum = min(100, health.reduce(0, +))
        guard sum > 0 else { return health.map { _ in 0 } }
        var left = 100.0
        return health.map { h in
            let load = min(left, h * 100 / sum)
            left -= load
            return load
        }
    }

    /// The normalized total health `T` (0–100); below 100 Envoy may enter panic.
    public static func totalHealth(healthy: [Int], total: [Int], overprovisioningFactor: Double = 1.4) -> Double {
        min(100, zip(healthy, total).reduce(0) { acc, pair in
            acc + (pair.1 == 0 ? 0 : min(100, overprovisioningFactor * 100 * Double(pair.0) / Double(pair.1)))
        })
    }
}
