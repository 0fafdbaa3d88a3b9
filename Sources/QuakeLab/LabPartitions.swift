import QuakeCore

/// The partitions in effect on the lab, and which Envoys each pod is cut off from because of them.
///
/// A partition between two sides (each a list of `region`, `region/cluster` or
/// `region/cluster/zone`, as the plan resolves them) cuts every Envoy whose client locality is on one
/// side from every pod whose zone is on the other, as the model cuts a request from a client
/// locality to a pod's zone (`Simulation.isPartitioned`). A pod's own calls leave through its
/// locality's Envoy, so cutting Envoys from pods covers every request between the sides.
///
/// Partitions are kept by their fault's index in the schedule: overlapping ones compose (an Envoy
/// and a zone stay cut while any partition cuts them: ``cuts(envoy:zone:)`` counts them), and
/// removing one twice, or one never added, changes nothing. Pure: the lab tells the pods.
public struct LabPartitions: Sendable, Equatable {
    /// One partition's two sides.
    public struct Sides: Sendable, Hashable {
        /// The localities of one side.
        public var a: [String]
        /// The localities of the other side.
        public var b: [String]

        /// Two sides from their localities.
        public init(_ a: [String], _ b: [String]) {
            self.a = a
            self.b = b
        }

        /// Whether these sides separate `client` and `zone`: one lies on one side, the other on the other.
        public func separate(_ client: Locality, _ zone: Locality) -> Bool {
            let inA = { (l: Locality) in a.contains(where: l.isInside) }
            let inB = { (l: Locality) in b.contains(where: l.isInside) }
            return (inA(client) && inB(zone)) || (inB(client) && inA(zone))
        }
    }

    private var active: [Int: Sides] = [:]

    /// No partition in effect.
    public init() {}

    /// Whether no partition is in effect.
    public var isEmpty: Bool { active.isEmpty }

    /// Puts fault `index`'s partition in effect (again: the same index is one partition).
    public mutating func insert(_ sides: Sides, index: Int) { active[index] = sides }

    /// Lifts fault `index`'s partition; false when it was not in effect.
    @discardableResult
    public mutating func remove(index: Int) -> Bool { active.removeValue(forKey: index) != nil }

    /// Lifts every partition.
    public mutating func removeAll() { active.removeAll() }

    /// How many partitions in effect cut the Envoy of client locality `envoy` from pods in `zone`.
    public func cuts(envoy: Locality, zone: Locality) -> Int {
        active.values.filter { $0.separate(envoy, zone) }.count
    }

    /// The Envoys of `envoys` cut off from a pod in `zone`, in their order.
    public func envoys(cutOffFrom zone: Locality, among envoys: [LabLayout.Envoy]) -> [LabLayout.Envoy] {
        envoys.filter { cuts(envoy: $0.locality, zone: zone) > 0 }
    }

    /// What a pod in `zone` is told to cut off: those Envoys' source addresses, sorted as the pod
    /// reports them (``PodConfiguration/parseCutOff(_:)``).
    public func peers(cutOffFrom zone: Locality, among envoys: [LabLayout.Envoy]) -> [String] {
        Set(self.envoys(cutOffFrom: zone, among: envoys).map(\.sourceAddress)).sorted()
    }
}
