/// Settings of a lab run that are not in the plan.
public struct LabOptions: Sendable, Equatable {
    /// The first loopback port; nil for the plan's `target.lab.basePort`.
    public var basePort: Int?
    /// Compression of the control plane's timings (0.05 runs Kubernetes and Karmada 20× faster);
    /// also applied to Envoy's outlier-detection interval and ejection times. Requests, service
    /// times, timeouts and retries run at real speed.
    public var timeScale: Double
    /// The `quake` binary that runs the pods; nil for the running program.
    public var quakeExecutable: String?
    /// Worker threads of each Envoy.
    public var envoyConcurrency: Int

    /// Options from their parts.
    public init(basePort: Int? = nil, timeScale: Double = 1, quakeExecutable: String? = nil, envoyConcurrency: Int = 1) {
        self.basePort = basePort
        self.timeScale = timeScale
        self.quakeExecutable = quakeExecutable
        self.envoyConcurrency = envoyConcurrency
    }
}
