/// Objects to seed the Kubernetes API double with (``KubeAPIServer/seed(_:)``), shaped like the
/// real ones closely enough for kubectl and the Python client to read them: nodes with zone
/// labels, Ready conditions and node info, pods on nodes owned by a ReplicaSet or DaemonSet,
/// PodDisruptionBudgets with their status, Karmada Clusters and ResourceBindings, Istio
/// VirtualServices and DestinationRules.
public enum KubeAPIObjects {
    /// A namespace, phase Active.
    public static func namespace(_ name: String) -> KubeAPIJSON {
        ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)], "spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Active"]]
    }

    /// A worker node in `zone` (and `region`), Ready or NotReady, optionally cordoned or tainted.
    public static func node(_ name: String, zone: String, region: String = "region-1", ready: Bool = true, unschedulable: Bool = false, taints: [KubeAPIJSON] = []) -> KubeAPIJSON {
        var spec: KubeAPIJSON = ["podCIDR": "10.244.0.0/24"]
        if unschedulable { spec["unschedulable"] = true }
        if !taints.isEmpty { spec["taints"] = .array(taints) }
        let info: KubeAPIJSON = [
            "machineID": .string(name), "systemUUID": .string(name), "bootID": .string(name), "kernelVersion": "6.1.0",
            "osImage": "Debian GNU/Linux 12 (bookworm)", "containerRuntimeVersion": "containerd://1.7.0", "kubeletVersion": "v1.32.0",
            "kubeProxyVersion": "v1.32.0", "operatingSystem": "linux", "architecture": "amd64",
        ]
        return [
            "apiVersion": "v1", "kind": "Node",
            "metadata": [
                "name": .string(name),
                "labels": KubeAPIJSON([
                    "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                    "topology.kubernetes.io/zone": zone, "topology.kubernetes.io/region": region,
                ]),
            ],
            "spec": spec,
            "status": [
                "conditions": [[
                    "type": "Ready", "status": ready ? "True" : "False", "reason": ready ? "KubeletReady" : "KubeletNotReady",
                    "message": ready ? "kubelet is posting ready status" : "container runtime is down",
                    "lastHeartbeatTime": "2025-01-01T00:00:00Z", "lastTransitionTime": "2025-01-01T00:00:00Z",
                ]],
                "addresses": [["type": "InternalIP", "address": "10.0.0.1"], ["type": "Hostname", "address": .string(name)]],
                "nodeInfo": info,
            ],
        ]
    }

    /// A taint for ``node(_:zone:region:ready:unschedulable:taints:)`` or a Karmada Cluster.
    public static func taint(_ key: String, value: String? = nil, effect: String) -> KubeAPIJSON {
        var taint: KubeAPIJSON = ["key": .string(key)]
        if let value { taint["value"] = .string(value) }
        taint["effect"] = .string(effect)
        return taint
    }

    /// What owns a pod, for kubectl drain's checks: a ReplicaSet (evicted), a DaemonSet (skipped
    /// with `--ignore-daemonsets`; seed the DaemonSet too), or nothing (drain needs `--force`).
    public enum PodOwner: Sendable {
        /// A ReplicaSet of this name.
        case replicaSet(String)
        /// A DaemonSet of this name.
        case daemonSet(String)
        /// No owner.
        case none
    }

    /// A Running, ready pod on `node` with one container, owned by `owner`; with `emptyDir`, a
    /// scratch volume (drain needs `--delete-emptydir-data`).
    public static func pod(_ name: String, namespace: String = "default", node: String, labels: [String: String] = [:], owner: PodOwner, emptyDir: Bool = false) -> KubeAPIJSON {
        var metadata: KubeAPIJSON = ["name": .string(name), "namespace": .string(namespace), "labels": KubeAPIJSON(labels)]
        switch owner {
        case let .replicaSet(set):
            metadata["ownerReferences"] = [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": .string(set), "uid": .string("uid-\(set)"), "controller": true, "blockOwnerDeletion": true]]
        case let .daemonSet(set):
            metadata["ownerReferences"] = [["apiVersion": "apps/v1", "kind": "DaemonSet", "name": .string(set), "uid": .string("uid-\(set)"), "controller": true, "blockOwnerDeletion": true]]
        case .none:
            break
        }
        var spec: KubeAPIJSON = ["nodeName": .string(node), "containers": [["name": "app", "image": "registry.example/app:1"]]]
        if emptyDir { spec["volumes"] = [["name": "scratch", "emptyDir": .object([])]] }
        return [
            "apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec,
            "status": [
                "phase": "Running", "podIP": "10.244.0.10",
                "conditions": [["type": "Ready", "status": "True"]],
                "containerStatuses": [["name": "app", "ready": true, "restartCount": 0, "image": "registry.example/app:1", "imageID": "", "started": true]],
            ],
        ]
    }

    /// A DaemonSet, so that kubectl drain finds the owner of its pods.
    public static func daemonSet(_ name: String, namespace: String) -> KubeAPIJSON {
        [
            "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["selector": ["matchLabels": ["app": .string(name)]], "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "app", "image": "registry.example/app:1"]]]]],
        ]
    }

    /// A PodDisruptionBudget selecting `matchLabels` with `minAvailable`, whose status (as the
    /// disruption controller would have set it) allows `disruptionsAllowed` evictions.
    public static func podDisruptionBudget(_ name: String, namespace: String = "default", matchLabels: [String: String], minAvailable: Int, currentHealthy: Int, disruptionsAllowed: Int) -> KubeAPIJSON {
        [
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["minAvailable": .int(minAvailable), "selector": ["matchLabels": KubeAPIJSON(matchLabels)]],
            "status": [
                "observedGeneration": 1, "disruptionsAllowed": .int(disruptionsAllowed), "currentHealthy": .int(currentHealthy),
                "desiredHealthy": .int(minAvailable), "expectedPods": .int(currentHealthy),
            ],
        ]
    }

    /// A Deployment with `replicas`, all ready and available.
    public static func deployment(_ name: String, namespace: String = "default", replicas: Int) -> KubeAPIJSON {
        [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]], "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "app", "image": "registry.example/app:1"]]]]],
            "status": ["replicas": .int(replicas), "readyReplicas": .int(replicas), "availableReplicas": .int(replicas), "updatedReplicas": .int(replicas)],
        ]
    }

    /// An EndpointSlice of `service` (labelled `kubernetes.io/service-name`) with one endpoint per
    /// (address, node, zone), ready unless its address is in `notReady` (a pod failing its
    /// readiness probe: neither ready nor serving).
    public static func endpointSlice(_ name: String, namespace: String = "default", service: String, endpoints: [(address: String, node: String, zone: String)], notReady: Set<String> = []) -> KubeAPIJSON {
        [
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": ["kubernetes.io/service-name": .string(service)]],
            "addressType": "IPv4",
            "endpoints": .array(endpoints.map { endpoint in
                let ready = !notReady.contains(endpoint.address)
                return [
                    "addresses": [.string(endpoint.address)], "conditions": ["ready": .bool(ready), "serving": .bool(ready), "terminating": false],
                    "nodeName": .string(endpoint.node), "zone": .string(endpoint.zone),
                ]
            }),
            "ports": [["name": "http", "protocol": "TCP", "port": 8080]],
        ]
    }

    /// A Karmada member Cluster (Push mode), Ready or not, with `taints`.
    public static func cluster(_ name: String, region: String = "region-1", ready: Bool = true, taints: [KubeAPIJSON] = []) -> KubeAPIJSON {
        var spec: KubeAPIJSON = ["syncMode": "Push", "apiEndpoint": .string("https://\(name).example:6443"), "region": .string(region)]
        if !taints.isEmpty { spec["taints"] = .array(taints) }
        return [
            "apiVersion": "cluster.karmada.io/v1alpha1", "kind": "Cluster", "metadata": ["name": .string(name)], "spec": spec,
            "status": [
                "kubernetesVersion": "v1.32.0",
                "conditions": [["type": "Ready", "status": ready ? "True" : "False", "reason": ready ? "ClusterReady" : "ClusterNotReachable", "message": ready ? "cluster is healthy and ready to accept workloads" : "cluster is not reachable", "lastTransitionTime": "2025-01-01T00:00:00Z"]],
            ],
        ]
    }

    /// A Karmada ResourceBinding for a Deployment, scheduled onto `clusters` (name, replicas), all
    /// healthy; with the graceful eviction tasks of `evictions` (as Karmada's taint manager makes
    /// them), and, for each cluster of `ready`, its ready replicas in the aggregated status
    /// (`status.readyReplicas`, as Karmada collects the member Deployment's status).
    public static func resourceBinding(_ name: String, namespace: String = "default", deployment: String, clusters: [(name: String, replicas: Int)],
                                       evictions: [(fromCluster: String, replicas: Int)] = [], ready: [(cluster: String, replicas: Int)] = []) -> KubeAPIJSON {
        var spec: KubeAPIJSON = [
            "resource": ["apiVersion": "apps/v1", "kind": "Deployment", "namespace": .string(namespace), "name": .string(deployment)],
            "clusters": .array(clusters.map { ["name": .string($0.name), "replicas": .int($0.replicas)] }),
        ]
        if !evictions.isEmpty {
            spec["gracefulEvictionTasks"] = .array(evictions.map { task in
                [
                    "fromCluster": .string(task.fromCluster), "replicas": .int(task.replicas), "reason": "TaintUntolerated", "producer": "TaintManager",
                    "purgeMode": "Gracefully", "creationTimestamp": "2025-01-01T00:00:00Z",
                    "clustersBeforeFailover": .array(clusters.map { .string($0.name) } + [.string(task.fromCluster)]),
                ]
            })
        }
        var statuses: [KubeAPIJSON] = []
        for name in clusters.map(\.name) + ready.map(\.cluster) where !statuses.contains(where: { $0["clusterName"].string == name }) {
            var item: KubeAPIJSON = ["clusterName": .string(name), "applied": true, "health": "Healthy"]
            if let count = ready.first(where: { $0.cluster == name })?.replicas {
                item["status"] = ["replicas": .int(count), "readyReplicas": .int(count), "availableReplicas": .int(count), "updatedReplicas": .int(count)]
            }
            statuses.append(item)
        }
        return [
            "apiVersion": "work.karmada.io/v1alpha2", "kind": "ResourceBinding", "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": spec, "status": ["aggregatedStatus": .array(statuses)],
        ]
    }

    /// A Karmada PropagationPolicy placing `deployment` on `clusterNames`.
    public static func propagationPolicy(_ name: String, namespace: String = "default", deployment: String, clusterNames: [String]) -> KubeAPIJSON {
        [
            "apiVersion": "policy.karmada.io/v1alpha1", "kind": "PropagationPolicy", "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "resourceSelectors": [["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(deployment)]],
                "placement": ["clusterAffinity": ["clusterNames": .array(clusterNames.map(KubeAPIJSON.string))]],
            ],
        ]
    }

    /// An Istio VirtualService (`networking.istio.io/v1`) for `host` splitting traffic between
    /// subsets by weight (subset, weight).
    public static func virtualService(_ name: String, namespace: String = "default", host: String, routes: [(subset: String, weight: Int)]) -> KubeAPIJSON {
        [
            "apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "hosts": [.string(host)],
                "http": [["route": .array(routes.map { ["destination": ["host": .string(host), "subset": .string($0.subset)], "weight": .int($0.weight)] })]],
            ],
        ]
    }

    /// An Istio DestinationRule for `host` with one subset per cluster (`topology.istio.io/cluster`).
    public static func destinationRule(_ name: String, namespace: String = "default", host: String, clusters: [String]) -> KubeAPIJSON {
        [
            "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": [
                "host": .string(host),
                "trafficPolicy": ["outlierDetection": ["consecutive5xxErrors": 5, "interval": "10s", "baseEjectionTime": "30s"]],
                "subsets": .array(clusters.map { ["name": .string($0), "labels": ["topology.istio.io/cluster": .string($0)]] }),
            ],
        ]
    }
}
