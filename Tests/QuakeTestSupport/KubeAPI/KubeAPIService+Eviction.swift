/// The pods/eviction subresource as kube-apiserver implements it: the PodDisruptionBudget that
/// selects the pod must allow a disruption (its `status.disruptionsAllowed`), which the eviction
/// uses up; otherwise 429 with the budget named. An evicted pod is deleted at once (no grace
/// period); a pod that is not Running is evicted without looking at budgets.
extension KubeAPIService {
    func evict(_ request: KubeAPIRequest, target: KubeAPITarget) throws -> Reply {
        guard let key = target.key else { throw KubeAPIStatus.unknownPath }
        let eviction = try parsedBody(request)
        if let name = eviction["metadata"]["name"].string, name != key.name {
            throw KubeAPIStatus.badRequest("name in URL does not match name in Eviction object")
        }
        try store.transaction { state in
            guard let pod = state.object(key) else { throw KubeAPIStatus.notFound(.pods, key.name) }
            if pod["status"]["phase"].string == "Running" {
                let labels = pod["metadata"]["labels"].stringMap
                let budgets = state.objects(.podDisruptionBudgets, namespace: key.namespace).filter {
                    KubeAPILabelSelector($0.object["spec"]["selector"]).matches(labels)
                }
                guard budgets.count <= 1 else { throw KubeAPIStatus.manyDisruptionBudgets }
                if let (budgetKey, budget) = budgets.first.map({ ($0.key, $0.object) }) {
                    let status = budget["status"]
                    let allowed = status["disruptionsAllowed"].int ?? 0
                    guard allowed > 0 else {
                        throw KubeAPIStatus.disruptionBudget(budgetKey.name, desiredHealthy: status["desiredHealthy"].int ?? 0, currentHealthy: status["currentHealthy"].int ?? 0)
                    }
                    var spent = budget
                    spent[path: ["status", "disruptionsAllowed"]] = .int(allowed - 1)
                    spent[path: ["status", "disruptedPods", key.name]] = .string(Self.timestamp())
                    state.put(spent, at: budgetKey)
                }
            }
            state.remove(key)
        }
        return .json(201, KubeAPIStatus.evicted)
    }
}
