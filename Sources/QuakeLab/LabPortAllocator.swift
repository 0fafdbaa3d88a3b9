/// Hands out loopback ports one after another from a starting port; a port is never handed out
/// twice, so a pod created later (rescheduling) never reuses the port of a pod that is gone.
///
/// Pure: it does not check that a port is free; the process that binds it reports a taken port.
public struct LabPortAllocator: Sendable, Equatable {
    /// The port the next call to `next()` returns.
    public private(set) var nextPort: Int

    /// An allocator whose first port is `first`.
    public init(first: Int) { self.nextPort = first }

    /// The next unused port; throws `.config` past 65535.
    public mutating func next() throws(LabError) -> Int {
        guard nextPort >= 1, nextPort <= 65_535 else {
            throw LabError(code: .config, message: "no loopback port left: the lab would need port \(nextPort); choose a lower base port (target.lab.basePort)")
        }
        defer { nextPort += 1 }
        return nextPort
    }
}
