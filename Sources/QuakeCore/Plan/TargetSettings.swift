/// Which target runs a plan, and the settings of each target.
public struct TargetSettings: Sendable, Equatable {
    /// The target used when the command line names none.
    public var kind: TargetKind
    /// Observation window of every target (1 s).
    public var window: TimeSpan
    /// Model: write one Envoy access-log line per simulated request.
    public var modelAccessLog: Bool
    /// Lab: wall-clock compression of control-plane timings (0.05 runs 20× faster).
    public var labTimeScale: Double
    /// Lab: the first loopback port the lab may use.
    public var labBasePort: Int
    /// Kubernetes: the kubeconfig context of the member clusters' API.
    public var kubeContext: String?
    /// Kubernetes: the kubeconfig context of the Karmada control plane.
    public var karmadaContext: String?
    /// Kubernetes: the kubeconfig file (default `$KUBECONFIG` or `~/.kube/config`).
    public var kubeconfig: String?
    /// Kubernetes: the Prometheus that scrapes the mesh.
    public var prometheusURL: String?
    /// Kubernetes: a file holding the bearer token that Prometheus wants, read again for each query.
    public var prometheusTokenFile: String?
    /// Kubernetes: how each member cluster of the plan is reached, by cluster name; a cluster not
    /// listed is reached through ``kubeContext`` when the plan has one cluster, else through
    /// Karmada's cluster proxy.
    public var kubeClusters: [String: KubeClusterAccess] = [:]
    /// Kubernetes: the namespace the plan's services run in (`default`).
    public var kubeNamespace: String = "default"
    /// Kubernetes: how a node fault (crash, or each node of a zone outage) is made.
    public var kubeNodeFault: KubeNodeFault = .taint
    /// Kubernetes: the URL the plan's traffic is sent to (an Istio ingress gateway), each request
    /// with `Host: <service>`; nil sends no traffic.
    public var kubeIngress: String?

    /// Settings from their parts.
    public init(kind: TargetKind = .model, window: TimeSpan = .seconds(1), modelAccessLog: Bool = false, labTimeScale: Double = 1, labBasePort: Int = 20000, kubeContext: String? = nil, karmadaContext: String? = nil, kubeconfig: String? = nil, prometheusURL: String? = nil) {
        self.kind = kind
        self.window = window
        self.modelAccessLog = modelAccessLog
        self.labTimeScale = labTimeScale
        self.labBasePort = labBasePort
        self.kubeContext = kubeContext
        self.karmadaContext = karmadaContext
        self.kubeconfig = kubeconfig
        self.prometheusURL = prometheusURL
    }
}

/// The three kinds of target.
public enum TargetKind: String, Sendable, CaseIterable {
    /// The discrete-event simulation.
    case model
    /// Real Envoy and Prometheus on this machine.
    case lab
    /// Real clusters through their APIs.
    case kubernetes
}

/// How the kubernetes target reaches one member cluster's API.
public enum KubeClusterAccess: Sendable, Equatable {
    /// Through a kubeconfig context of its own.
    case context(String)
    /// Through the Karmada control plane's cluster proxy
    /// (`/apis/cluster.karmada.io/v1alpha1/clusters/<name>/proxy/`).
    case viaKarmada
}

/// How the kubernetes target makes a node fault through the API (SEMANTICS §5.1).
public enum KubeNodeFault: String, Sendable, Equatable, CaseIterable {
    /// Cordon, and Quake's NoExecute taint: every pod without a toleration is evicted at once.
    case taint
    /// Cordon, and `node.kubernetes.io/out-of-service=nodeshutdown:NoExecute`: the node is
    /// declared shut down, so even StatefulSet pods and volumes move.
    case outOfService = "out-of-service"
    /// Cordon, and evict every pod through the eviction API, which PodDisruptionBudgets may refuse
    /// (reported, never forced).
    case drain
}
