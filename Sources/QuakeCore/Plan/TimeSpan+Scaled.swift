extension TimeSpan {
    /// This span multiplied by a time scale, to the nearest microsecond (0.05 × 10 s is 0.5 s); a
    /// positive span stays at least 1 µs, so that a compressed period or grace never vanishes.
    func scaled(by factor: Double) -> TimeSpan {
        let scaled = Int64((Double(microseconds) * factor).rounded())
        return TimeSpan(microseconds: microseconds > 0 ? max(1, scaled) : scaled)
    }
}
