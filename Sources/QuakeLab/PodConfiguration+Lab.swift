import QuakeCore

extension PodConfiguration {
    /// The configuration of lab pod `pod`, the `index`-th created in the run: its service's
    /// service time and error rate, calls through its locality's Envoy, and a seed of its own.
    ///
    /// - Throws: ``LabError`` `config` when the plan has no such service or the pod's locality no Envoy.
    init(labPod pod: LabLayout.Pod, plan: Plan, layout: LabLayout, index: Int) throws(LabError) {
        guard let spec = plan.service(named: pod.service) else {
            throw LabError(code: .config, message: "no service \(pod.service) in the plan", location: pod.name)
        }
        var calls: [Downstream] = []
        if !spec.calls.isEmpty {
            guard let envoy = layout.envoy(for: pod.locality) else {
                throw LabError(code: .config, message: "no Envoy in \(pod.locality) for its calls to \(spec.calls.joined(separator: ", "))", location: pod.name)
            }
            calls = spec.calls.map { Downstream(service: $0, url: envoy.listenerURL + "/") }
        }
        self.init(service: pod.service, pod: pod.name, port: pod.port, serviceTime: spec.serviceTime, errorRate: spec.errorRate.fraction, calls: calls,
                  seed: plan.seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
    }
}
