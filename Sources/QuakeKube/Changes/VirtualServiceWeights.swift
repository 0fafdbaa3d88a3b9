import QuakeCore

extension VirtualServiceChange {
    /// The change that sets to `weight` the weight of every route destination of `virtualService`
    /// whose subset selects `cluster` (`clusterOf(host, subset)`, from the plan's DestinationRule),
    /// the other destinations keeping theirs — a destination's share is its weight over its
    /// route's sum (SEMANTICS §5.3) — and its merge patch, with the resourceVersion read.
    ///
    /// `earlier` is the same procedure's previous change of this VirtualService, if any: the list
    /// must still be as it left it, and the list before the procedure stays the one a revert puts
    /// back (so a shift to 0 % and then to 10 % is undone in one step).
    ///
    /// A route whose only destinations are in `cluster` is left as it is when the weight is 0
    /// (Istio would have nowhere to send its requests).
    ///
    /// - Throws: ``KubeError`` `config` when no route's weights can be shifted (no destination's
    ///   subset selects `cluster`, or only such routes); `conflict` when someone changed the list
    ///   since `earlier`; `api` when the object has no `spec.http` routes.
    public static func shift(cluster: String, to weight: Int, in virtualService: KubeJSON, at path: String,
                             clusterOf: (_ host: String, _ subset: String) -> String?, earlier: VirtualServiceChange?) throws -> (change: VirtualServiceChange, patch: KubeJSON) {
        guard let routes = virtualService[path: "spec.http"]?.array, !routes.isEmpty else {
            throw KubeError(code: .api, message: "has no spec.http routes whose weights could be shifted", location: path)
        }
        if let earlier, virtualService[path: "spec.http"] != earlier.patched {
            throw KubeError(code: .conflict, message: "spec.http was changed by someone else during the procedure, so its weights were not shifted again; the list before the procedure is in the run's journal", location: path)
        }
        var shifted = false, emptied = false
        var patched: [KubeJSON] = []
        for route in routes {
            guard case var .object(fields) = route, let destinations = fields["route"]?.array else {
                patched.append(route)
                continue
            }
            var weights: [Int] = [], rewritten: [KubeJSON] = [], selects = false
            for destination in destinations {
                guard case var .object(entry) = destination else { rewritten.append(destination); continue }
                let host = entry["destination"]?["host"]?.string.map(Self.serviceName) ?? ""
                if let subset = entry["destination"]?["subset"]?.string, clusterOf(host, subset) == cluster {
                    entry["weight"] = .number(Double(weight))
                    weights.append(weight)
                    selects = true
                } else {
                    weights.append(entry["weight"]?.number.map { Int($0) } ?? (destinations.count == 1 ? 100 : 0))
                }
                rewritten.append(.object(entry))
            }
            // A route whose every destination would weigh 0 (one that only goes to this cluster)
            // stays as it is: Istio would have nowhere to send its requests.
            if selects && weights.allSatisfy({ $0 == 0 }) {
                emptied = true
                patched.append(route)
                continue
            }
            shifted = shifted || selects
            fields["route"] = .array(rewritten)
            patched.append(.object(fields))
        }
        guard shifted else {
            let why = emptied
                ? "every route with a destination in \(cluster) goes only there, and a weight of \(weight) would leave it nowhere to send its requests"
                : "no route destination has a subset that selects \(cluster) (a DestinationRule subset with topology.istio.io/cluster: \(cluster))"
            throw KubeError(code: .config, message: why, location: path)
        }
        let change = VirtualServiceChange(path: path, original: earlier?.original ?? .array(routes), patched: .array(patched))
        return (change, mergePatch(http: change.patched, over: virtualService))
    }

    /// A destination host reduced to its service name (`svc2.default.svc.cluster.local` → `svc2`).
    static func serviceName(_ host: String) -> String {
        String(host.prefix { $0 != "." })
    }
}
