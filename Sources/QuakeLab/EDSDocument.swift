import QuakeCore

/// The EDS file of one upstream as one client locality's Envoy sees it: a DiscoveryResponse with
/// one ClusterLoadAssignment, endpoints grouped by locality, each group with the priority Istio
/// gives it for that client (`LocalityPriority`, the model's own computation).
///
/// Pure: the lab writes it with `AtomicFileWriter` to `EnvoyFiles.edsFile(for:)`, and Envoy applies
/// it about 10 ms after the rename (LAB-NOTES (g)).
public enum EDSDocument {
    /// One locality group of the document, as rendered.
    public struct Group: Sendable, Equatable {
        /// The endpoints' locality.
        public var locality: Locality
        /// Envoy priority: 0 is preferred; compacted to 0…K over the localities present.
        public var priority: Int
        /// Istio's `distribute` weight of the locality for this client, nil when none applies.
        public var weight: Int?
        /// The endpoints, by port.
        public var endpoints: [EDSEndpoint]
    }

    /// The locality groups of `endpoints` for `client`, ordered by priority, then topology order.
    ///
    /// Priorities count only when the DestinationRule has outlier detection (Istio applies failover
    /// only then); they are compacted over the localities of `endpoints`, as Istio compacts them over
    /// the endpoints it sends. With `distribute`, every group is priority 0 and carries its weight
    /// (×100, rounded; a locality with no weight gets no traffic).
    public static func groups(upstream: EnvoyUpstream, client: Locality, endpoints: [EDSEndpoint], plan: Plan) -> [Group] {
        let rule = plan.destinationRule(for: upstream.service)
        var localities: [Locality] = []
        for endpoint in endpoints where !localities.contains(endpoint.locality) { localities.append(endpoint.locality) }
        let priorities = LocalityPriority.priorities(client: client, endpoints: localities, setting: rule?.locality, hasOutlierDetection: rule?.outlierDetection != nil)
        let weights = LocalityDistribution.weights(client: client, topology: plan.topology, setting: rule?.locality)
        let order = topologyOrder(plan.topology)
        let groups = localities.map { locality in
            Group(
                locality: locality,
                priority: priorities[locality] ?? 0,
                weight: weights.map { Int((($0[locality] ?? 0) * 100).rounded()) }.flatMap { $0 > 0 ? $0 : nil },
                endpoints: endpoints.filter { $0.locality == locality }.sorted { $0.port < $1.port }
            )
        }
        return groups.sorted {
            if $0.priority != $1.priority { return $0.priority < $1.priority }
            let a = order[$0.locality] ?? Int.max, b = order[$1.locality] ?? Int.max
            return a != b ? a < b : $0.locality.description < $1.locality.description
        }
    }

    /// The document's text: `version` is Envoy's `version_info` (shown as the cluster's
    /// `version_text`, so a new file should carry a new version).
    public static func render(upstream: EnvoyUpstream, client: Locality, endpoints: [EDSEndpoint], plan: Plan, version: String) -> String {
        let factor = Int((plan.controlPlane.timings.overprovisioningFactor * 100).rounded())
        let groups = groups(upstream: upstream, client: client, endpoints: endpoints, plan: plan)
        let assignment = EnvoyBootstrap.typed("envoy.config.endpoint.v3.ClusterLoadAssignment", [
            ("cluster_name", .string(upstream.name)),
            ("endpoints", .array(groups.map(json))),
            ("policy", .object([("overprovisioning_factor", .int(max(1, factor)))])),
        ])
        return LabJSON.object([
            ("version_info", .string(version)),
            ("resources", .array([assignment])),
        ]).rendered()
    }

    private static func json(_ group: Group) -> LabJSON {
        var fields: [(String, LabJSON)] = [("locality", EnvoyBootstrap.locality(group.locality))]
        if let weight = group.weight { fields.append(("load_balancing_weight", .int(weight))) }
        fields.append(("priority", .int(group.priority)))
        fields.append(("lb_endpoints", .array(group.endpoints.map { endpoint in
            .object([
                ("endpoint", .object([("address", EnvoyBootstrap.socketAddress(port: endpoint.port))])),
                ("health_status", .string(endpoint.health.rawValue)),
            ])
        })))
        return .object(fields)
    }

    private static func topologyOrder(_ topology: Topology) -> [Locality: Int] {
        var order: [Locality: Int] = [:]
        for cluster in topology.clusters {
            for zone in cluster.zones { order[Locality(region: cluster.region, cluster: cluster.name, zone: zone.name)] = order.count }
        }
        return order
    }
}
