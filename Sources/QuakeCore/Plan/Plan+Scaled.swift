extension Plan {
    /// This plan with its control plane on a clock `factor` times as fast (0.05: Kubernetes and
    /// Karmada act 20× sooner), as the lab runs it with `--time-scale`. A pure copy of the plan.
    ///
    /// Multiplied by `factor` (to the microsecond; a positive duration never becomes zero) — every
    /// duration a Kubernetes or Karmada controller waits:
    /// - `controlPlane.timings`: leases, monitor periods and grace periods, readiness period,
    ///   EndpointSlice and istiod push delays, default tolerations, Karmada's probe period and
    ///   thresholds, failover eviction timeout, graceful eviction timeout, application failover
    ///   defaults, descheduler; the node and binding eviction rates are divided by `factor`
    ///   (`Timings.scaled(by:)`);
    /// - each service's `startupTime` (schedule, image pull, start and readiness of a new pod);
    /// - each PropagationPolicy's `clusterTolerations[].tolerationSeconds`;
    /// - each PropagationPolicy's `failover.application` `decisionConditions.tolerationSeconds`
    ///   and `gracePeriodSeconds`.
    ///
    /// Kept as written:
    /// - the schedule (fault times and lengths, procedure steps, waits and check timeouts), the
    ///   traffic and its ramps, probes and the observation window: the experiment runs in real time;
    /// - everything a request does: service times, network latencies, route and per-try timeouts,
    ///   Envoy's retry back-off, fault delays, connect timeouts, local rate-limit buckets;
    /// - DestinationRule outlier detection (interval, ejection times): Envoy's own control loop,
    ///   which the lab compresses where it renders each Envoy's bootstrap
    ///   (`EnvoyBootstrap.Options.timeScale`); compressing it here as well would do it twice;
    /// - SLOs and stop conditions, which judge the run as the plan states them;
    /// - ClusterTaintPolicies, which hold no durations.
    public func scaled(by factor: Double) -> Plan {
        precondition(factor > 0 && factor.isFinite, "a time scale must be positive")
        var scaled = self
        scaled.controlPlane.timings = controlPlane.timings.scaled(by: factor)
        scaled.services = services.map { service in
            var service = service
            service.startupTime = service.startupTime.scaled(by: factor)
            return service
        }
        scaled.propagationPolicies = propagationPolicies.map { policy in
            var policy = policy
            policy.clusterTolerations = policy.clusterTolerations.map { toleration in
                var toleration = toleration
                toleration.tolerationSeconds = toleration.tolerationSeconds?.scaled(by: factor)
                return toleration
            }
            if var failover = policy.failover {
                failover.applicationTolerationSeconds = failover.applicationTolerationSeconds?.scaled(by: factor)
                failover.applicationGracePeriodSeconds = failover.applicationGracePeriodSeconds?.scaled(by: factor)
                policy.failover = failover
            }
            return policy
        }
        return scaled
    }
}
