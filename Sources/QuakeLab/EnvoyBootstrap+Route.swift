import Foundation
import QuakeCore

/// Routes: one virtual host per service, its route from the VirtualService (SEMANTICS.md §3.5).
extension EnvoyBootstrap {
    /// The `Host` values a service answers to: `svc`, `svc.ns`, `svc.ns.svc`,
    /// `svc.ns.svc.cluster.local`, each also with `:port`.
    public static func domains(of service: ServiceSpec) -> [String] {
        let names = [service.name, "\(service.name).\(service.namespace)", "\(service.name).\(service.namespace).svc", "\(service.name).\(service.namespace).svc.cluster.local"]
        return names.flatMap { [$0, "\($0):\(service.port)"] }
    }

    /// The route's weighted destinations: the VirtualService's first route without a `match`
    /// (Quake's load carries no headers), its destinations that name a service of the plan.
    static func destinations(of service: ServiceSpec, route: HTTPRoute?, plan: Plan) -> [(upstream: EnvoyUpstream, weight: Int)] {
        var result: [(upstream: EnvoyUpstream, weight: Int)] = []
        for destination in route?.destinations ?? [] {
            guard let upstream = EnvoyUpstream.destination(host: destination.host, subset: destination.subset, in: plan) else { continue }
            if let i = result.firstIndex(where: { $0.upstream == upstream }) {
                result[i].weight += destination.weight
            } else {
                result.append((upstream, destination.weight))
            }
        }
        if result.isEmpty || result.allSatisfy({ $0.weight <= 0 }) {
            return [(EnvoyUpstream(service: service.name, namespace: service.namespace, port: service.port), 100)]
        }
        return result
    }

    static func virtualHost(_ service: ServiceSpec, plan: Plan) -> LabJSON {
        let route = plan.virtualService(for: service.name)?.routes.first { !$0.hasMatch }
        let keys = EnvoyRuntimeKeys(service: service.name)
        let targets = destinations(of: service, route: route, plan: plan)
        var action: [(String, LabJSON)] = []
        if targets.count == 1 {
            action.append(("cluster", .string(targets[0].upstream.name)))
        } else {
            action.append(("weighted_clusters", .object([
                ("clusters", .array(targets.map { .object([("name", .string($0.upstream.name)), ("weight", .int(max(0, $0.weight)))]) })),
                ("runtime_key_prefix", .string(keys.weightPrefix)),
            ])))
        }
        // Istio drops a route's retries and timeout while it carries a fault (SEMANTICS.md §3.5).
        let faulted = route?.fault != nil
        action.append(("timeout", .duration(faulted ? .zero : route?.timeout ?? .zero)))
        if !faulted, let retry = retryPolicy(route?.retries, plan: plan) { action.append(("retry_policy", retry)) }

        var perFilter: [(String, LabJSON)] = [(faultFilter, fault(route?.fault, keys: keys))]
        if let bucket = service.rateLimit { perFilter.append((rateLimitFilter, rateLimit(bucket, service: service.name, keys: keys))) }
        return .object([
            ("name", .string(service.name)),
            ("domains", .array(domains(of: service).map(LabJSON.string))),
            ("routes", .array([.object([
                ("name", .string(service.name)),
                ("match", .object([("prefix", .string("/"))])),
                ("route", .object(action)),
                ("typed_per_filter_config", .object(perFilter)),
            ])])),
        ])
    }

    /// The route's `retry_policy` as Istio builds it (`retry.go`): nil when retries are off
    /// (`attempts: 0`); Istio's default policy when the route sets none; status codes in `retryOn`
    /// become `retriable_status_codes`; previous hosts are avoided with Envoy's re-picks, and
    /// `retryRemoteLocalities` adds the previous-priorities retry priority.
    static func retryPolicy(_ policy: RetryPolicy?, plan: Plan) -> LabJSON? {
        let fallback = RetryPolicy.istioDefault(istioVersion: plan.controlPlane.istio)
        let policy = policy ?? fallback
        guard policy.attempts > 0 else { return nil }
        let items = policy.retryOn.isEmpty ? fallback.retryOn : policy.retryOn
        var on: [String] = []
        var codes: [Int] = []
        for item in items {
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            if let code = Int(trimmed) { codes.append(code) } else if !trimmed.isEmpty, !on.contains(trimmed) { on.append(trimmed) }
        }
        if !codes.isEmpty, !on.contains("retriable-status-codes") { on.append("retriable-status-codes") }
        let timings = plan.controlPlane.timings
        var fields: [(String, LabJSON)] = [
            ("retry_on", .string(on.joined(separator: ","))),
            ("num_retries", .int(policy.attempts)),
        ]
        if let perTry = policy.perTryTimeout { fields.append(("per_try_timeout", .duration(perTry))) }
        if policy.retryRemoteLocalities {
            fields.append(("retry_priority", .object([
                ("name", .string("envoy.retry_priorities.previous_priorities")),
                ("typed_config", typed("envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig", [("update_frequency", .int(2))])),
            ])))
        }
        fields.append(("retry_host_predicate", .array([.object([
            ("name", .string("envoy.retry_host_predicates.previous_hosts")),
            ("typed_config", typed("envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate")),
        ])])))
        fields.append(("host_selection_retry_max_attempts", .int(timings.hostSelectionRetryMaxAttempts)))
        if !codes.isEmpty { fields.append(("retriable_status_codes", .array(codes.map(LabJSON.int)))) }
        fields.append(("retry_back_off", .object([
            ("base_interval", .duration(max(.milliseconds(1), timings.retryBackoffBase))),
            ("max_interval", .duration(max(.milliseconds(1), timings.retryBackoffBase, timings.retryBackoffMax))),
        ])))
        return .object(fields)
    }

    /// The route's fault-filter settings: the VirtualService's abort and delay if it declares them,
    /// else both at 0 % (the blocks must exist for the runtime keys to act, LAB-NOTES (e)), each
    /// share and value also read from the service's runtime keys.
    static func fault(_ fault: HTTPFaultInjection?, keys: EnvoyRuntimeKeys) -> LabJSON {
        typed(faultType, [
            ("abort", .object([
                ("http_status", .int(fault?.abort?.status ?? 503)),
                ("percentage", millionths(fault?.abort?.percentage ?? Percentage(0))),
            ])),
            ("delay", .object([
                ("fixed_delay", .duration(max(.milliseconds(1), fault?.delay?.duration ?? .milliseconds(1)))),
                ("percentage", millionths(fault?.delay?.percentage ?? Percentage(0))),
            ])),
            ("abort_percent_runtime", .string(keys.abortPercent)),
            ("abort_http_status_runtime", .string(keys.abortHTTPStatus)),
            ("delay_percent_runtime", .string(keys.delayPercent)),
            ("delay_duration_runtime", .string(keys.delayDuration)),
        ])
    }

    /// The route's token bucket (SEMANTICS.md §4.5), enabled and enforced for every request unless
    /// the runtime says otherwise; fill intervals under Envoy's 50 ms minimum are raised to it.
    static func rateLimit(_ bucket: LocalRateLimit, service: String, keys: EnvoyRuntimeKeys) -> LabJSON {
        let all = LabJSON.object([("numerator", .int(100)), ("denominator", .string("HUNDRED"))])
        return typed(rateLimitType, [
            ("stat_prefix", .string("ratelimit_\(service)")),
            ("token_bucket", .object([
                ("max_tokens", .int(max(1, bucket.maxTokens))),
                ("tokens_per_fill", .int(max(1, bucket.tokensPerFill))),
                ("fill_interval", .duration(max(.milliseconds(50), bucket.fillInterval))),
            ])),
            ("filter_enabled", .object([("runtime_key", .string(keys.rateLimitEnabled)), ("default_value", all)])),
            ("filter_enforced", .object([("runtime_key", .string(keys.rateLimitEnforced)), ("default_value", all)])),
            ("response_headers_to_add", .array([.object([
                ("append_action", .string("OVERWRITE_IF_EXISTS_OR_ADD")),
                ("header", .object([("key", .string("x-local-rate-limit")), ("value", .string("true"))])),
            ])])),
        ])
    }

    /// A `FractionalPercent` in millionths, as Istio writes a VirtualService percentage.
    static func millionths(_ p: Percentage) -> LabJSON {
        .object([
            ("numerator", .int(Int((min(100, max(0, p.percent)) * 10_000).rounded()))),
            ("denominator", .string("MILLION")),
        ])
    }
}
