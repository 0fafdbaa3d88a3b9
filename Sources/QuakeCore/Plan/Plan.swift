/// A chaos plan as Quake understood it: every default filled in, every reference resolved.
///
/// Built by `QuakePlan` from YAML; read by targets, the runner and `quake explain`.
public struct Plan: Sendable {
    /// Who and what the plan is about.
    public var metadata: PlanMetadata
    /// Regions, clusters, zones and nodes, with latencies between them.
    public var topology: Topology
    /// The services that run on the topology, in the order the plan lists them.
    public var services: [ServiceSpec]
    /// Karmada propagation policies read from the plan's `placement` manifests.
    public var propagationPolicies: [PropagationPolicy]
    /// Karmada ClusterTaintPolicies (from v1.14 the only automatic source of NoExecute cluster taints).
    public var clusterTaintPolicies: [ClusterTaintPolicy]
    /// Istio DestinationRules read from the plan's `trafficPolicy` manifests.
    public var destinationRules: [DestinationRule]
    /// Istio VirtualServices read from the plan's `trafficPolicy` manifests.
    public var virtualServices: [VirtualService]
    /// Kubernetes, Karmada and Istio versions and every timing they imply.
    public var controlPlane: ControlPlane
    /// Open-loop load from client localities.
    public var traffic: [LoadSpec]
    /// HTTP probes run while the experiment lasts.
    public var probes: [ProbeSpec]
    /// What must hold for the experiment to pass.
    public var slos: [SLOSpec]
    /// Abort guards: when one fires, every fault is reverted and the run ends as aborted.
    public var stopConditions: [StopCondition]
    /// Blast-radius limits checked before anything runs.
    public var safety: SafetyPolicy
    /// How long the experiment lasts and what breaks when.
    public var schedule: Schedule
    /// Which target runs the plan and its per-target settings.
    public var target: TargetSettings
    /// The seed of every random choice the plan makes.
    public var seed: UInt64
    /// Remarks about the plan that do not stop it from running (unmodelled manifest fields, defaults chosen).
    public var warnings: [String]

    /// A plan from its parts.
    public init(
        metadata: PlanMetadata, topology: Topology, services: [ServiceSpec],
        propagationPolicies: [PropagationPolicy], clusterTaintPolicies: [ClusterTaintPolicy], destinationRules: [DestinationRule],
        virtualServices: [VirtualService], controlPlane: ControlPlane, traffic: [LoadSpec],
        probes: [ProbeSpec], slos: [SLOSpec], stopConditions: [StopCondition], safety: SafetyPolicy,
        schedule: Schedule, target: TargetSettings, seed: UInt64, warnings: [String]
    ) {
        self.metadata = metadata
        self.topology = topology
        self.services = services
        self.propagationPolicies = propagationPolicies
        self.clusterTaintPolicies = clusterTaintPolicies
        self.destinationRules = destinationRules
        self.virtualServices = virtualServices
        self.controlPlane = controlPlane
        self.traffic = traffic
        self.probes = probes
        self.slos = slos
        self.stopConditions = stopConditions
        self.safety = safety
        self.schedule = schedule
        self.target = target
        self.seed = seed
        self.warnings = warnings
    }

    /// The service named `name`, if the plan has one.
    public func service(named name: String) -> ServiceSpec? { services.first { $0.name == name } }

    /// The DestinationRule whose host is `service`, if any.
    public func destinationRule(for service: String) -> DestinationRule? {
        destinationRules.first { $0.host == service }
    }

    /// The VirtualService that lists `service` among its hosts, if any.
    public func virtualService(for service: String) -> VirtualService? {
        virtualServices.first { $0.hosts.contains(service) }
    }

    /// The propagation policy that selects `service`, as Karmada picks one: the highest `priority`,
    /// then the most specific selector (name, then labels, then kind), then the first name in order.
    public func propagationPolicy(for service: ServiceSpec) -> PropagationPolicy? {
        propagationPolicies.filter { $0.selects(service) }.min { a, b in
            if a.priority != b.priority { return a.priority > b.priority }
            let sa = a.specificity(for: service), sb = b.specificity(for: service)
            return sa != sb ? sa > sb : a.name < b.name
        }
    }
}

/// Name, description, tags and owner of a plan.
public struct PlanMetadata: Sendable, Equatable {
    /// The plan's name; reports and run records are named after it.
    public var name: String
    /// What the experiment shows, in a sentence.
    public var description: String
    /// Labels that group plans (shown in reports).
    public var tags: [String]
    /// The team or person who owns the experiment.
    public var owner: String?

    /// Metadata from its parts.
    public init(name: String, description: String = "", tags: [String] = [], owner: String? = nil) {
        self.name = name
        self.description = description
        self.tags = tags
        self.owner = owner
    }
}
