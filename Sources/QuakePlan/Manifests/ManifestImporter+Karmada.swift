import QuakeCore
import Yams

extension ManifestImporter {
    /// What a Karmada `Cluster` manifest says about a cluster of the topology.
    struct ClusterUpdate {
        var name: String
        var syncMode: SyncMode?
        var provider: String?
        var labels: [String: String]
    }

    func propagationPolicy(_ node: Node, kind: String) -> PropagationPolicy? {
        guard let (name, namespace, specNode) = object(node) else { return nil }
        guard let specNode else {
            reader.error(node, base, "\(kind) '\(name)' has no spec")
            return nil
        }
        let ignored = ["propagateDeps", "preemption", "conflictResolution", "dependentOverrides", "schedulerName", "activationPreference", "suspension", "association", "preserveResourcesOnDeletion"]
        guard let spec = reader.mapping(specNode, path("spec"), keys: ["resourceSelectors", "placement", "priority", "failover"], required: ["resourceSelectors"], ignored: ignored) else { return nil }
        var policy = PropagationPolicy(name: name, kind: kind, namespace: kind == "ClusterPropagationPolicy" ? nil : (namespace ?? "default"), resourceSelectors: [])
        for (i, s) in (spec["resourceSelectors"].flatMap { reader.sequence($0, spec.path("resourceSelectors"), of: "resource selectors") } ?? []).enumerated() {
            if let selector = resourceSelector(s, "\(spec.path("resourceSelectors"))[\(i)]") { policy.resourceSelectors.append(selector) }
        }
        policy.priority = spec["priority"].flatMap { reader.int($0, spec.path("priority"), in: Int(Int32.min)...Int(Int32.max)) } ?? 0
        if let p = spec["placement"], let pm = reader.mapping(p, spec.path("placement"), keys: ["clusterAffinity", "clusterTolerations", "spreadConstraints", "replicaScheduling"], ignored: ["clusterAffinities"]) {
            policy.clusterAffinity = pm["clusterAffinity"].flatMap { clusterAffinity($0, pm.path("clusterAffinity")) }
            policy.clusterTolerations = (pm["clusterTolerations"].flatMap { reader.sequence($0, pm.path("clusterTolerations"), of: "tolerations") } ?? [])
                .enumerated().compactMap { toleration($1, "\(pm.path("clusterTolerations"))[\($0)]") }
            policy.spreadConstraints = (pm["spreadConstraints"].flatMap { reader.sequence($0, pm.path("spreadConstraints"), of: "spread constraints") } ?? [])
                .enumerated().compactMap { spreadConstraint($1, "\(pm.path("spreadConstraints"))[\($0)]") }
            if let rs = pm["replicaScheduling"] { policy.replicaScheduling = replicaScheduling(rs, pm.path("replicaScheduling")) }
        }
        if let f = spec["failover"] { policy.failover = failover(f, spec.path("failover")) }
        if !services.contains(where: policy.selects) {
            reader.warning(node, base, "\(kind) '\(name)' selects no service of this plan; it has no effect")
        }
        return policy
    }

    private func resourceSelector(_ node: Node, _ p: String) -> ResourceSelector? {
        guard let m = reader.mapping(node, p, keys: ["apiVersion", "kind", "name", "namespace", "labelSelector"], required: ["apiVersion", "kind"], ignored: ["fieldSelector"]) else { return nil }
        guard let apiVersion = m["apiVersion"].flatMap({ reader.string($0, m.path("apiVersion")) }), let kind = m["kind"].flatMap({ reader.string($0, m.path("kind")) }) else { return nil }
        var labels: [String: String] = [:]
        if let l = m["labelSelector"], let lm = reader.mapping(l, m.path("labelSelector"), keys: ["matchLabels"], ignored: ["matchExpressions"]) {
            labels = lm["matchLabels"].flatMap { reader.labels($0, lm.path("matchLabels")) } ?? [:]
        }
        return ResourceSelector(apiVersion: apiVersion, kind: kind, name: m["name"].flatMap { reader.string($0, m.path("name")) }, namespace: m["namespace"].flatMap { reader.string($0, m.path("namespace")) }, matchLabels: labels)
    }

    func clusterAffinity(_ node: Node, _ p: String) -> ClusterAffinity? {
        guard let m = reader.mapping(node, p, keys: ["clusterNames", "exclude", "labelSelector", "fieldSelector"]) else { return nil }
        var affinity = ClusterAffinity()
        affinity.clusterNames = m["clusterNames"].flatMap { reader.strings($0, m.path("clusterNames")) } ?? []
        affinity.exclude = m["exclude"].flatMap { reader.strings($0, m.path("exclude")) } ?? []
        if let l = m["labelSelector"], let lm = reader.mapping(l, m.path("labelSelector"), keys: ["matchLabels", "matchExpressions"]) {
            affinity.matchLabels = lm["matchLabels"].flatMap { reader.labels($0, lm.path("matchLabels")) } ?? [:]
            affinity.matchExpressions = lm["matchExpressions"].map { expressions($0, lm.path("matchExpressions")) } ?? []
        }
        if let f = m["fieldSelector"], let fm = reader.mapping(f, m.path("fieldSelector"), keys: ["matchExpressions"]) {
            affinity.fieldExpressions = fm["matchExpressions"].map { expressions($0, fm.path("matchExpressions")) } ?? []
            for e in affinity.fieldExpressions where !["provider", "region", "zone"].contains(e.key) {
                reader.error(f, fm.path("matchExpressions"), "fieldSelector key '\(e.key)' is not one of 'provider', 'region', 'zone'")
            }
        }
        let known = topology.clusters.map(\.name)
        for name in affinity.clusterNames + affinity.exclude where checkClusters && !known.contains(name) {
            reader.warning(node, p, "cluster '\(name)' is not in the plan's topology" + Suggestion.phrase(for: name, among: known))
        }
        return affinity
    }

    private func expressions(_ node: Node, _ p: String) -> [LabelExpression] {
        (reader.sequence(node, p, of: "expressions") ?? []).enumerated().compactMap { i, e in
            let ep = "\(p)[\(i)]"
            guard let m = reader.mapping(e, ep, keys: ["key", "operator", "values"], required: ["key", "operator"]),
                  let key = m["key"].flatMap({ reader.string($0, m.path("key")) }),
                  let op = m["operator"].flatMap({ reader.choice($0, m.path("operator"), among: LabelExpression.Operator.allCases.map(\.rawValue)) }).flatMap(LabelExpression.Operator.init) else { return nil }
            return LabelExpression(key: key, op: op, values: m["values"].flatMap { reader.strings($0, m.path("values")) } ?? [])
        }
    }

    private func toleration(_ node: Node, _ p: String) -> ClusterToleration? {
        guard let m = reader.mapping(node, p, keys: ["key", "operator", "value", "effect", "tolerationSeconds"]) else { return nil }
        return ClusterToleration(
            key: m["key"].flatMap { reader.string($0, m.path("key")) },
            operator: m["operator"].flatMap { reader.choice($0, m.path("operator"), among: ["Equal", "Exists"]) } ?? "Equal",
            value: m["value"].flatMap { reader.string($0, m.path("value")) },
            effect: m["effect"].flatMap { reader.choice($0, m.path("effect"), among: ["NoSchedule", "PreferNoSchedule", "NoExecute"]) },
            tolerationSeconds: m["tolerationSeconds"].flatMap { seconds($0, m.path("tolerationSeconds")) }
        )
    }

    /// A Karmada `…Seconds` field: a whole number of seconds from 0 to 2³¹−1 (Karmada's int32), as an
    /// exact span.
    private func seconds(_ node: Node, _ p: String) -> TimeSpan? {
        reader.int(node, p, in: 0...Int(Int32.max)).map { TimeSpan(microseconds: Int64($0) * 1_000_000) }
    }

    private func spreadConstraint(_ node: Node, _ p: String) -> SpreadConstraint? {
        guard let m = reader.mapping(node, p, keys: ["spreadByField", "spreadByLabel", "maxGroups", "minGroups"]) else { return nil }
        let by: String
        if let f = m["spreadByField"] {
            guard let field = reader.choice(f, m.path("spreadByField"), among: ["cluster", "region", "zone", "provider"]) else { return nil }
            by = field
        } else if let l = m["spreadByLabel"], let label = reader.string(l, m.path("spreadByLabel")) {
            by = "label:\(label)"
        } else {
            reader.error(node, p, "a spread constraint needs 'spreadByField' or 'spreadByLabel'")
            return nil
        }
        return SpreadConstraint(spreadBy: by, maxGroups: m["maxGroups"].flatMap { reader.int($0, m.path("maxGroups"), in: 1...10_000) }, minGroups: m["minGroups"].flatMap { reader.int($0, m.path("minGroups"), in: 0...10_000) } ?? 1)
    }

    private func replicaScheduling(_ node: Node, _ p: String) -> ReplicaScheduling {
        guard let m = reader.mapping(node, p, keys: ["replicaSchedulingType", "replicaDivisionPreference", "weightPreference"]) else { return ReplicaScheduling() }
        let type = m["replicaSchedulingType"].flatMap { reader.choice($0, m.path("replicaSchedulingType"), among: ["Duplicated", "Divided"]) } ?? "Divided"
        if type == "Duplicated" { return ReplicaScheduling(mode: .duplicated) }
        let preference = m["replicaDivisionPreference"].flatMap { reader.choice($0, m.path("replicaDivisionPreference"), among: ["Aggregated", "Weighted"]) } ?? "Weighted"
        if preference == "Aggregated" { return ReplicaScheduling(mode: .aggregated) }
        guard let w = m["weightPreference"], let wm = reader.mapping(w, m.path("weightPreference"), keys: ["staticWeightList", "dynamicWeight"]) else { return ReplicaScheduling() }
        if let d = wm["dynamicWeight"], reader.choice(d, wm.path("dynamicWeight"), among: ["AvailableReplicas"]) != nil {
            return ReplicaScheduling(mode: .dynamicWeight)
        }
        var weights: [String: Int] = [:]
        for (i, item) in (wm["staticWeightList"].flatMap { reader.sequence($0, wm.path("staticWeightList"), of: "weights") } ?? []).enumerated() {
            let ip = "\(wm.path("staticWeightList"))[\(i)]"
            guard let im = reader.mapping(item, ip, keys: ["targetCluster", "weight"], required: ["targetCluster", "weight"]),
                  let weight = im["weight"].flatMap({ reader.int($0, im.path("weight"), in: 1...Int(Int32.max)) }),
                  let target = im["targetCluster"].flatMap({ clusterAffinity($0, im.path("targetCluster")) }) else { continue }
            for cluster in topology.clusters where target.admits(cluster) { weights[cluster.name] = weight }
        }
        return ReplicaScheduling(mode: .staticWeights(weights))
    }

    private func failover(_ node: Node, _ p: String) -> FailoverBehavior? {
        guard let m = reader.mapping(node, p, keys: ["application", "cluster"]) else { return nil }
        var behavior = FailoverBehavior()
        let purgeModes = ["Directly", "Gracefully", "Never", "Immediately", "Graciously"]
        if let a = m["application"], let am = reader.mapping(a, m.path("application"), keys: ["decisionConditions", "purgeMode", "gracePeriodSeconds"], ignored: ["statePreservation"]) {
            behavior.applicationTolerationSeconds = .seconds(300)
            if let dc = am["decisionConditions"], let dm = reader.mapping(dc, am.path("decisionConditions"), keys: ["tolerationSeconds"]) {
                behavior.applicationTolerationSeconds = dm["tolerationSeconds"].flatMap { seconds($0, dm.path("tolerationSeconds")) } ?? .seconds(300)
            }
            behavior.applicationPurgeMode = am["purgeMode"].flatMap { reader.choice($0, am.path("purgeMode"), among: purgeModes) }
            behavior.applicationGracePeriodSeconds = am["gracePeriodSeconds"].flatMap { seconds($0, am.path("gracePeriodSeconds")) }
        }
        if let c = m["cluster"], let cm = reader.mapping(c, m.path("cluster"), keys: ["purgeMode"], ignored: ["statePreservation"]) {
            behavior.clusterPurgeMode = cm["purgeMode"].flatMap { reader.choice($0, cm.path("purgeMode"), among: ["Directly", "Gracefully"]) }
        }
        return behavior
    }

    func clusterTaintPolicy(_ node: Node) -> ClusterTaintPolicy? {
        guard let (name, _, specNode) = object(node) else { return nil }
        guard let specNode else {
            reader.error(node, base, "ClusterTaintPolicy '\(name)' has no spec")
            return nil
        }
        guard let spec = reader.mapping(specNode, path("spec"), keys: ["targetClusters", "addOnConditions", "removeOnConditions", "taints"], required: ["taints"]) else { return nil }
        func conditions(_ key: String) -> [ConditionMatch] {
            (spec[key].flatMap { reader.sequence($0, spec.path(key), of: "conditions") } ?? []).enumerated().compactMap { i, c in
                let cp = "\(spec.path(key))[\(i)]"
                guard let m = reader.mapping(c, cp, keys: ["conditionType", "operator", "statusValues"], required: ["conditionType", "operator", "statusValues"]),
                      let type = m["conditionType"].flatMap({ reader.string($0, m.path("conditionType")) }),
                      let op = m["operator"].flatMap({ reader.choice($0, m.path("operator"), among: ["In", "NotIn"]) }),
                      let values = m["statusValues"].flatMap({ reader.strings($0, m.path("statusValues")) }) else { return nil }
                return ConditionMatch(conditionType: type, op: op, statusValues: values)
            }
        }
        let taints: [(key: String, value: String?, effect: String)] = (spec["taints"].flatMap { reader.sequence($0, spec.path("taints"), of: "taints") } ?? []).enumerated().compactMap { i, t in
            let tp = "\(spec.path("taints"))[\(i)]"
            guard let m = reader.mapping(t, tp, keys: ["key", "value", "effect"], required: ["key", "effect"]),
                  let key = m["key"].flatMap({ reader.string($0, m.path("key")) }),
                  let effect = m["effect"].flatMap({ reader.choice($0, m.path("effect"), among: ["NoSchedule", "NoExecute"]) }) else { return nil }
            return (key, m["value"].flatMap { reader.string($0, m.path("value")) }, effect)
        }
        return ClusterTaintPolicy(name: name, targetClusters: spec["targetClusters"].flatMap { clusterAffinity($0, spec.path("targetClusters")) }, addOnConditions: conditions("addOnConditions"), removeOnConditions: conditions("removeOnConditions"), taints: taints)
    }

    func cluster(_ node: Node) -> ClusterUpdate? {
        guard let (name, _, specNode) = object(node) else { return nil }
        let ignored = ["apiEndpoint", "secretRef", "impersonatorSecretRef", "insecureSkipTLSVerification", "proxyURL", "proxyHeader", "resourceModels", "id", "taints", "zone", "zones"]
        guard let specNode else {
            reader.error(node, base, "Cluster '\(name)' has no spec")
            return nil
        }
        guard let spec = reader.mapping(specNode, path("spec"), keys: ["syncMode", "provider", "region"], ignored: ignored) else { return nil }
        guard let cluster = topology.cluster(named: name) else {
            reader.warning(node, base, "Cluster '\(name)' is not in the plan's topology" + Suggestion.phrase(for: name, among: topology.clusters.map(\.name)) + "; ignored")
            return nil
        }
        if let r = spec["region"], let region = reader.string(r, spec.path("region")), region != cluster.region {
            reader.error(r, spec.path("region"), "Cluster '\(name)' says region '\(region)', but the topology puts it in '\(cluster.region)'")
        }
        var update = ClusterUpdate(name: name, labels: node["metadata"]?["labels"].flatMap { reader.labels($0, path("metadata.labels")) } ?? [:])
        update.syncMode = spec["syncMode"].flatMap { reader.choice($0, spec.path("syncMode"), among: SyncMode.allCases.map(\.rawValue)) }.flatMap(SyncMode.init)
        update.provider = spec["provider"].flatMap { reader.string($0, spec.path("provider")) }
        return update
    }
}
