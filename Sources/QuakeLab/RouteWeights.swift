import QuakeCore

/// One service's route weights in the lab's Envoys while procedures shift its traffic: the
/// route's weighted destinations as the bootstrap has them (``EnvoyBootstrap``'s
/// `weighted_clusters`), and the weight each shifted cluster's destinations carry now.
///
/// The same rule as the kubernetes target's VirtualService shift and the model's
/// `RouteState.shift` (SEMANTICS §5.3): every destination whose DestinationRule subset selects
/// the cluster (`topology.istio.io/cluster`) gets the new weight, the others keep theirs, and a
/// destination's share is its weight over the route's sum — so 40/30/30 shifted to 0 % in the
/// second cluster sends 4/7 and 3/7 to the others. Envoy reads each weight from the runtime
/// (``EnvoyRuntimeKeys/weight(of:)``), so a shift is a `POST /runtime_modify` and a restore
/// clears the keys back to the bootstrap's weights. Pure: nothing here talks to an Envoy.
public struct RouteWeights: Sendable, Equatable {
    /// One weighted destination of the route.
    public struct Destination: Sendable, Equatable {
        /// The Envoy cluster the destination names.
        public var upstream: EnvoyUpstream
        /// Its weight as the VirtualService gives it (the bootstrap's value).
        public var weight: Int
        /// The Karmada cluster its subset selects, if it selects one.
        public var cluster: String?
    }

    /// The service whose route this is.
    public let service: String
    /// The route's destinations in bootstrap order; one destination means no `weighted_clusters`.
    public let destinations: [Destination]
    /// The weight set on each shifted cluster's destinations.
    public private(set) var shifted: [String: Int] = [:]

    /// The route of `service` in `plan`, as the lab's bootstrap renders it, nothing shifted.
    public init(service: ServiceSpec, plan: Plan) {
        self.service = service.name
        let route = plan.virtualService(for: service.name)?.routes.first { !$0.hasMatch }
        destinations = EnvoyBootstrap.destinations(of: service, route: route, plan: plan).map { target in
            Destination(upstream: target.upstream, weight: target.weight,
                        cluster: target.upstream.subset.flatMap { plan.destinationRule(for: target.upstream.service)?.cluster(ofSubset: $0) })
        }
    }

    /// The weight of each destination now.
    public var current: [(upstream: EnvoyUpstream, weight: Int)] {
        destinations.map { d in (d.upstream, d.cluster.flatMap { shifted[$0] } ?? d.weight) }
    }

    /// Why `cluster`'s traffic cannot be shifted on this route, or nil when it can: the route must
    /// split over several destinations (`weighted_clusters`) and one of them must select `cluster`.
    public func refusal(cluster: String) -> String? {
        guard destinations.count > 1 else {
            return "the route of \(service) has a single destination, so Envoy has no weights to shift; the lab shifts traffic through the VirtualService's weighted destinations (subsets with topology.istio.io/cluster: \(cluster))"
        }
        guard destinations.contains(where: { $0.cluster == cluster }) else {
            return "no destination of \(service)'s route has a subset that selects \(cluster) (a DestinationRule subset with topology.istio.io/cluster: \(cluster))"
        }
        return nil
    }

    /// Sets the weight of `cluster`'s destinations to `weight` (a whole percentage) and returns the
    /// runtime keys and values that make every Envoy route that way.
    ///
    /// - Throws: ``LabError`` `config` when the route cannot be shifted (``refusal(cluster:)``) or
    ///   when every destination would weigh 0: Envoy would have nowhere to send the requests.
    public mutating func shift(cluster: String, to weight: Int) throws(LabError) -> [(key: String, value: String)] {
        if let refusal = refusal(cluster: cluster) { throw LabError(code: .config, message: refusal, location: service) }
        var next = self
        next.shifted[cluster] = max(0, weight)
        guard next.current.contains(where: { $0.weight > 0 }) else {
            throw LabError(code: .config, message: "a weight of \(weight) in \(cluster) would leave every destination of the route at 0, with nowhere to send its requests", location: service)
        }
        self = next
        return pairs(of: cluster)
    }

    /// Puts `cluster`'s destinations back to the VirtualService's weights and returns the runtime
    /// keys to clear (empty values) for that.
    public mutating func restore(cluster: String) -> [(key: String, value: String)] {
        guard shifted.removeValue(forKey: cluster) != nil else { return [] }
        let keys = EnvoyRuntimeKeys(service: service)
        return destinations.filter { $0.cluster == cluster }.map { (keys.weight(of: $0.upstream), "") }
    }

    /// The runtime keys to clear so that every shifted cluster's destinations weigh as the
    /// VirtualService has them again (what a stopped run undoes).
    public mutating func restoreAll() -> [(key: String, value: String)] {
        shifted.keys.sorted().flatMap { restore(cluster: $0) }
    }

    /// The runtime pairs for `cluster`'s destinations at their current weight.
    private func pairs(of cluster: String) -> [(key: String, value: String)] {
        let keys = EnvoyRuntimeKeys(service: service)
        return current.filter { entry in destinations.contains { $0.upstream == entry.upstream && $0.cluster == cluster } }
            .map { (keys.weight(of: $0.upstream), String($0.weight)) }
    }
}
