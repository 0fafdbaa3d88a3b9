import QuakeCore

/// The bootstrap of one lab Envoy, programmed from the plan's DestinationRules and VirtualServices
/// the way Istio programs a sidecar's outbound side (SEMANTICS.md §3–4; docs/lab.md maps each
/// setting to its Envoy field). A pure renderer: plan and layout in, JSON text out (Envoy reads it
/// as JSON; it is also valid YAML).
///
/// What it holds:
/// - admin on 127.0.0.1 at the Envoy's admin port, and a runtime with a static and an admin layer,
///   so `POST /runtime_modify` drives the per-service keys of `EnvoyRuntimeKeys`;
/// - one HTTP listener on the Envoy's listener port: the fault filter, the local rate limit, the
///   router; one virtual host per service (matched by `Host`: `svc`, `svc.ns`, … with and without
///   the port), whose route carries the VirtualService's retries and timeout, the service's fault
///   settings and its token bucket; a JSON access log (`accessLogFields`);
/// - one EDS cluster per `EnvoyUpstream`, its endpoints read from a file (`EnvoyFiles.edsFile`),
///   with the DestinationRule's load balancer, outlier detection, panic threshold and
///   connection-pool circuit breakers, and per-endpoint stats.
public enum EnvoyBootstrap {
    /// Settings of the lab that are not in the plan.
    public struct Options: Sendable, Equatable {
        /// Compression of Envoy's control-loop timings, as the lab's `timeScale` compresses the
        /// control plane's: the outlier-detection interval and the base and maximum ejection times
        /// are multiplied by it (never below 1 ms). Request timings (timeouts, back-off, connect
        /// timeout, token buckets) are not: requests still take real time.
        public var timeScale: Double
        /// An active health check on every cluster; nil (the default) for none, as Istio programs none.
        public var healthCheck: EnvoyHealthCheck?

        /// Options from their parts: no compression and no health check by default.
        public init(timeScale: Double = 1, healthCheck: EnvoyHealthCheck? = nil) {
            self.timeScale = timeScale
            self.healthCheck = healthCheck
        }
    }

    /// The access log's JSON keys and the Envoy operator behind each, in the order Envoy writes
    /// them (alphabetical). QuakeObserve's JSON access-log parser reads `start_time`, `code`,
    /// `flags`, `duration_ms`, `upstream_host`, `upstream_cluster` and `authority`; the others are for
    /// people. Each line also has `envoy` and `locality`, naming the Envoy that wrote it.
    public static let accessLogFields: [(key: String, format: String)] = [
        ("attempts", "%UPSTREAM_REQUEST_ATTEMPT_COUNT%"),
        ("authority", "%REQ(:AUTHORITY)%"),
        ("code", "%RESPONSE_CODE%"),
        ("details", "%RESPONSE_CODE_DETAILS%"),
        ("duration_ms", "%DURATION%"),
        ("flags", "%RESPONSE_FLAGS%"),
        ("method", "%REQ(:METHOD)%"),
        ("path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%"),
        ("request_id", "%REQ(X-REQUEST-ID)%"),
        ("route", "%ROUTE_NAME%"),
        ("start_time", "%START_TIME%"),
        ("upstream_cluster", "%UPSTREAM_CLUSTER%"),
        ("upstream_host", "%UPSTREAM_HOST%"),
    ]

    /// The HTTP connection manager's stat prefix: stats read `http.outbound.…` (e.g.
    /// `http.outbound.fault.aborts_injected`).
    public static let statPrefix = "outbound"

    /// The bootstrap of `envoy` for `plan`, with its files under `files`.
    public static func render(plan: Plan, envoy: LabLayout.Envoy, files: EnvoyFiles, options: Options = Options()) -> String {
        json(plan: plan, envoy: envoy, files: files, options: options).rendered()
    }

    static func json(plan: Plan, envoy: LabLayout.Envoy, files: EnvoyFiles, options: Options) -> LabJSON {
        let upstreams = EnvoyUpstream.all(in: plan)
        return .object([
            ("node", .object([
                ("id", .string(envoy.name)),
                ("cluster", .string("quake-lab")),
                ("locality", locality(envoy.locality)),
            ])),
            ("admin", .object([("address", socketAddress(port: envoy.adminPort))])),
            ("layered_runtime", .object([("layers", .array([
                .object([("name", .string("static")), ("static_layer", .object([]))]),
                .object([("name", .string("admin")), ("admin_layer", .object([]))]),
            ]))])),
            ("static_resources", .object([
                ("listeners", .array([listener(plan: plan, envoy: envoy, files: files)])),
                ("clusters", .array(upstreams.map { cluster($0, plan: plan, envoy: envoy, files: files, options: options) })),
            ])),
        ])
    }

    /// An Envoy locality: region and zone, with the Karmada cluster as the sub-zone so that
    /// `/clusters` shows which member cluster a host is in (Istio leaves the sub-zone empty; nothing
    /// in the lab's Envoy reads it: no zone-aware routing).
    static func locality(_ l: Locality) -> LabJSON {
        .object([("region", .string(l.region)), ("zone", .string(l.zone)), ("sub_zone", .string(l.cluster))])
    }

    static func socketAddress(port: Int) -> LabJSON {
        .object([("socket_address", .object([("address", .string("127.0.0.1")), ("port_value", .int(port))]))])
    }

    static func typed(_ type: String, _ fields: [(String, LabJSON)] = []) -> LabJSON {
        .object([("@type", .string("type.googleapis.com/" + type))] + fields)
    }

    private static func listener(plan: Plan, envoy: LabLayout.Envoy, files: EnvoyFiles) -> LabJSON {
        var logFormat: [(String, LabJSON)] = accessLogFields.map { ($0.key, .string($0.format)) }
        logFormat.append(("envoy", .string(envoy.name)))
        logFormat.append(("locality", .string(envoy.locality.description)))
        logFormat.sort { $0.0 < $1.0 }
        let manager = typed("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager", [
            ("stat_prefix", .string(statPrefix)),
            ("codec_type", .string("AUTO")),
            ("route_config", .object([
                ("name", .string("outbound")),
                ("virtual_hosts", .array(plan.services.map { virtualHost($0, plan: plan) })),
            ])),
            ("http_filters", .array([
                .object([("name", .string(faultFilter)), ("typed_config", typed(faultType))]),
                .object([("name", .string(rateLimitFilter)), ("typed_config", typed(rateLimitType, [("stat_prefix", .string("http_local_rate_limiter"))]))]),
                .object([("name", .string("envoy.filters.http.router")), ("typed_config", typed("envoy.extensions.filters.http.router.v3.Router"))]),
            ])),
            ("access_log", .array([.object([
                ("name", .string("envoy.access_loggers.file")),
                ("typed_config", typed("envoy.extensions.access_loggers.file.v3.FileAccessLog", [
                    ("path", .string(files.accessLog)),
                    ("log_format", .object([("json_format", .object(logFormat))])),
                ])),
            ])])),
        ])
        return .object([
            ("name", .string("outbound")),
            ("address", socketAddress(port: envoy.listenerPort)),
            ("filter_chains", .array([.object([("filters", .array([.object([
                ("name", .string("envoy.filters.network.http_connection_manager")),
                ("typed_config", manager),
            ])]))])])),
        ])
    }

    static let faultFilter = "envoy.filters.http.fault"
    static let faultType = "envoy.extensions.filters.http.fault.v3.HTTPFault"
    static let rateLimitFilter = "envoy.filters.http.local_ratelimit"
    static let rateLimitType = "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit"
}
