extension Timings {
    /// These timings on a clock `factor` times as fast (0.05 runs 20× faster): every control-plane
    /// duration multiplied by `factor` (to the microsecond, never to zero) and every eviction rate
    /// divided by it. Envoy's retry back-off is a request timing and stays as it is; counts and
    /// fractions (thresholds, the overprovisioning factor) are not times.
    public func scaled(by factor: Double) -> Timings {
        precondition(factor > 0 && factor.isFinite, "a time scale must be positive")
        var scaled = self
        for field in Self.durationFields where field.path != \Timings.retryBackoffBase && field.path != \Timings.retryBackoffMax {
            scaled[keyPath: field.path] = self[keyPath: field.path].scaled(by: factor)
        }
        scaled.nodeEvictionRate = nodeEvictionRate / factor
        scaled.secondaryNodeEvictionRate = secondaryNodeEvictionRate / factor
        scaled.resourceEvictionRate = resourceEvictionRate / factor
        return scaled
    }
}
