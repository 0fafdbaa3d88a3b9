import QuakeCore

/// Upstream clusters: the DestinationRule's traffic policy (SEMANTICS.md §3.3–3.4, §4.1–4.2).
extension EnvoyBootstrap {
    /// Envoy's `lb_policy` for Istio's `loadBalancer.simple` (LEAST_REQUEST when unset).
    /// PASSTHROUGH (the original destination) has no meaning on loopback; it becomes ROUND_ROBIN.
    public static func lbPolicy(_ lb: LoadBalancer) -> String {
        switch lb {
        case .roundRobin, .passthrough: return "ROUND_ROBIN"
        case .leastRequest: return "LEAST_REQUEST"
        case .random: return "RANDOM"
        }
    }

    static func cluster(_ upstream: EnvoyUpstream, plan: Plan, envoy: LabLayout.Envoy, files: EnvoyFiles, options: Options) -> LabJSON {
        let client = envoy.locality
        let rule = plan.destinationRule(for: upstream.service)
        let pool = rule?.connectionPool ?? ConnectionPool()
        var fields: [(String, LabJSON)] = [
            ("name", .string(upstream.name)),
            ("type", .string("EDS")),
            ("connect_timeout", .duration(max(.milliseconds(1), pool.connectTimeout))),
            ("lb_policy", .string(lbPolicy(rule?.effectiveLoadBalancer ?? .leastRequest))),
            // The pods see this Envoy's own address as the peer: what a partition cuts off.
            ("upstream_bind_config", .object([("source_address", .object([("address", .string(envoy.sourceAddress)), ("port_value", .int(0))]))])),
            ("eds_cluster_config", .object([
                ("service_name", .string(upstream.name)),
                ("eds_config", .object([
                    ("resource_api_version", .string("V3")),
                    ("path_config_source", .object([
                        ("path", .string(files.edsFile(for: upstream))),
                        ("watched_directory", .object([("path", .string(files.edsDirectory(for: upstream)))])),
                    ])),
                ])),
            ])),
            ("circuit_breakers", .object([("thresholds", .array([.object([
                ("priority", .string("DEFAULT")),
                ("max_connections", .int(uint32(pool.maxConnections))),
                ("max_pending_requests", .int(uint32(pool.maxPendingRequests))),
                ("max_requests", .int(uint32(pool.maxRequests))),
                ("max_retries", .int(uint32(pool.maxRetries))),
                ("track_remaining", .bool(true)),
            ])]))])),
        ]
        if let od = rule?.outlierDetection { fields.append(("outlier_detection", outlierDetection(od, options: options))) }
        var lb: [(String, LabJSON)] = [("healthy_panic_threshold", .object([("value", .double(rule?.panicThreshold.percent ?? 50))]))]
        if LocalityDistribution.weights(client: client, topology: plan.topology, setting: rule?.locality) != nil {
            lb.append(("locality_weighted_lb_config", .object([])))
        }
        fields.append(("common_lb_config", .object(lb)))
        fields.append(("track_cluster_stats", .object([("per_endpoint_stats", .bool(true))])))
        if pool.maxRequestsPerConnection > 0 {
            fields.append(("typed_extension_protocol_options", .object([("envoy.extensions.upstreams.http.v3.HttpProtocolOptions", typed("envoy.extensions.upstreams.http.v3.HttpProtocolOptions", [
                ("common_http_protocol_options", .object([("max_requests_per_connection", .int(uint32(pool.maxRequestsPerConnection)))])),
                ("explicit_http_config", .object([("http_protocol_options", .object([]))])),
            ]))])))
        }
        if let check = options.healthCheck { fields.append(("health_checks", .array([check.json]))) }
        return .object(fields)
    }

    /// Istio's translation of `outlierDetection`: consecutive 5xx (and gateway errors when set)
    /// enforced at 100 %, success-rate ejection off, the maximum ejection time Envoy would use
    /// (max(300 s, base)) written out so that it is compressed with the others.
    static func outlierDetection(_ od: OutlierDetection, options: Options) -> LabJSON {
        var fields: [(String, LabJSON)] = [
            ("consecutive_5xx", .int(uint32(od.consecutive5xxErrors))),
            ("enforcing_consecutive_5xx", .int(od.consecutive5xxErrors > 0 ? 100 : 0)),
        ]
        if let gateway = od.consecutiveGatewayErrors {
            fields.append(("consecutive_gateway_failure", .int(uint32(gateway))))
            fields.append(("enforcing_consecutive_gateway_failure", .int(gateway > 0 ? 100 : 0)))
        }
        fields += [
            ("interval", .duration(scaled(od.interval, options))),
            ("base_ejection_time", .duration(scaled(od.baseEjectionTime, options))),
            ("max_ejection_time", .duration(scaled(od.maxEjectionTime, options))),
            ("max_ejection_percent", .int(Int(min(100, max(0, od.maxEjectionPercent.percent)).rounded()))),
            ("enforcing_success_rate", .int(0)),
        ]
        if options.healthCheck != nil {
            fields.append(("successful_active_health_check_uneject_host", .bool(options.healthCheck?.unejectOnSuccess ?? false)))
        }
        return .object(fields)
    }

    /// A control-loop timing compressed by the lab's time scale, never below 1 ms.
    static func scaled(_ span: TimeSpan, _ options: Options) -> TimeSpan {
        let scale = options.timeScale.isFinite && options.timeScale > 0 ? options.timeScale : 1
        return TimeSpan(microseconds: max(1000, Int64((Double(span.microseconds) * scale).rounded())))
    }

    /// A limit clamped to Envoy's uint32 range (Istio's "unlimited" is 2³²−1).
    static func uint32(_ n: Int) -> Int { min(max(0, n), Int(UInt32.max)) }
}
