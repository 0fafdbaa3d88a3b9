import QuakeCore
import QuakeLab
import Testing

/// The bootstrap carries the plan's Istio settings as Istio would program Envoy.
@Suite struct EnvoyBootstrapTests {
    static let yaml = """
        apiVersion: quake/v1
        kind: Experiment
        metadata: {name: bootstrap}
        topology:
          regions:
            region1:
              cluster1: {zones: {a: 2}}
              cluster2: {zones: {b: 2}}
        services:
          frontend: {replicas: 4, serviceTime: 5ms, calls: [svc2, svc3]}
          svc2: {replicas: 4, serviceTime: 5ms, rateLimit: {maxTokens: 50, tokensPerFill: 20, fillInterval: 500ms}}
          svc3: {replicas: 2, serviceTime: 5ms, port: 9090, namespace: shop}
        trafficPolicy:
          - inline:
              apiVersion: networking.istio.io/v1
              kind: DestinationRule
              metadata: {name: svc2}
              spec:
                host: svc2
                trafficPolicy:
                  loadBalancer: {simple: ROUND_ROBIN}
                  connectionPool:
                    tcp: {maxConnections: 100, connectTimeout: 250ms}
                    http: {http1MaxPendingRequests: 10, http2MaxRequests: 200, maxRetries: 7, maxRequestsPerConnection: 50}
                  outlierDetection: {consecutive5xxErrors: 3, consecutiveGatewayErrors: 2, interval: 4m, baseEjectionTime: 10m, maxEjectionPercent: 30, minHealthPercent: 20}
                subsets:
                  - {name: one, labels: {topology.istio.io/cluster: cluster1}}
                  - {name: two, labels: {topology.istio.io/cluster: cluster2}}
          - inline:
              apiVersion: networking.istio.io/v1
              kind: VirtualService
              metadata: {name: svc2}
              spec:
                hosts: [svc2]
                http:
                  - route:
                      - {destination: {host: svc2, subset: one}, weight: 70}
                      - {destination: {host: svc2, subset: two}, weight: 30}
                    retries: {attempts: 3, perTryTimeout: 500ms, retryOn: "5xx,connect-failure,reset,503", retryRemoteLocalities: true}
                    timeout: 2s
          - inline:
              apiVersion: networking.istio.io/v1
              kind: VirtualService
              metadata: {name: svc3, namespace: shop}
              spec:
                hosts: [svc3]
                http:
                  - route: [{destination: {host: svc3}}]
                    fault: {abort: {httpStatus: 500, percentage: {value: 12.5}}, delay: {fixedDelay: 2s, percentage: {value: 1}}}
                    retries: {attempts: 2}
                    timeout: 1s
        controlPlane: {istio: "1.22"}
        traffic:
          - {from: region1/cluster1/a, to: frontend, rate: 10/s}
        schedule: {duration: 1m}
        """

    struct Rendered {
        let json: [String: Any]
        let envoy: LabLayout.Envoy
        let files: EnvoyFiles

        var listener: [String: Any]? { json.object("static_resources")?.objects("listeners").first }
        var manager: [String: Any]? { listener?.objects("filter_chains").first?.objects("filters").first?.object("typed_config") }
        func virtualHost(_ name: String) -> [String: Any]? { manager?.object("route_config")?.objects("virtual_hosts").first { $0.string("name") == name } }
        func route(_ name: String) -> [String: Any]? { virtualHost(name)?.objects("routes").first }
        func cluster(_ name: String) -> [String: Any]? { json.object("static_resources")?.objects("clusters").first { $0.string("name") == name } }
    }

    static func rendered(options: EnvoyBootstrap.Options = EnvoyBootstrap.Options()) throws -> Rendered {
        let plan = try LabFixtures.plan(yaml)
        let layout = try LabLayout(plan: plan, basePort: 32000)
        let envoy = try #require(layout.envoys.first)
        let files = envoy.files(in: "/tmp/lab")
        return Rendered(json: try LabFixtures.parse(EnvoyBootstrap.render(plan: plan, envoy: envoy, files: files, options: options)), envoy: envoy, files: files)
    }

    @Test func adminRuntimeLayersAndNode() throws {
        let r = try Self.rendered()
        #expect(r.json.object("admin")?.object("address")?.object("socket_address")?.int("port_value") == r.envoy.adminPort)
        #expect(r.json.object("admin")?.object("address")?.object("socket_address")?.string("address") == "127.0.0.1")
        let layers = r.json.object("layered_runtime")?.objects("layers") ?? []
        #expect(layers.map { $0.string("name") } == ["static", "admin"])
        #expect(layers.last?.object("admin_layer") != nil)
        #expect(r.json.object("node")?.string("id") == "envoy-cluster1-a")
        #expect(r.json.object("node")?.object("locality")?.string("zone") == "a")
    }

    @Test func listenerRoutesByHostToEveryService() throws {
        let r = try Self.rendered()
        #expect(r.listener?.object("address")?.object("socket_address")?.int("port_value") == r.envoy.listenerPort)
        let filters = r.manager?.objects("http_filters").map { $0.string("name") }
        #expect(filters == ["envoy.filters.http.fault", "envoy.filters.http.local_ratelimit", "envoy.filters.http.router"])
        let hosts = r.manager?.object("route_config")?.objects("virtual_hosts").map { $0.string("name") }
        #expect(hosts == ["frontend", "svc2", "svc3"])
        let domains = r.virtualHost("svc3")?["domains"] as? [String] ?? []
        #expect(domains.contains("svc3") && domains.contains("svc3:9090") && domains.contains("svc3.shop.svc.cluster.local:9090"))
        #expect(r.route("frontend")?.object("route")?.string("cluster") == "outbound|8080||frontend.default.svc.cluster.local")
        #expect(r.route("svc3")?.object("route")?.string("cluster") == "outbound|9090||svc3.shop.svc.cluster.local")
    }

    @Test func virtualServiceRetriesTimeoutAndWeights() throws {
        let r = try Self.rendered()
        let route = try #require(r.route("svc2")?.object("route"))
        #expect(route.string("timeout") == "2s")
        let retry = try #require(route.object("retry_policy"))
        #expect(retry.string("retry_on") == "5xx,connect-failure,reset,retriable-status-codes")
        #expect(retry["retriable_status_codes"] as? [Int] == [503])
        #expect(retry.int("num_retries") == 3)
        #expect(retry.string("per_try_timeout") == "0.5s")
        #expect(retry.int("host_selection_retry_max_attempts") == 5)
        #expect(retry.objects("retry_host_predicate").first?.string("name") == "envoy.retry_host_predicates.previous_hosts")
        #expect(retry.object("retry_priority")?.string("name") == "envoy.retry_priorities.previous_priorities")
        #expect(retry.object("retry_back_off")?.string("base_interval") == "0.025s")
        let weighted = try #require(route.object("weighted_clusters"))
        #expect(weighted.string("runtime_key_prefix") == EnvoyRuntimeKeys(service: "svc2").weightPrefix)
        let clusters = weighted.objects("clusters").map { "\($0.string("name") ?? "")=\($0.int("weight") ?? -1)" }
        #expect(clusters == ["outbound|8080|one|svc2.default.svc.cluster.local=70", "outbound|8080|two|svc2.default.svc.cluster.local=30"])
    }

    @Test func istiosDefaultRetriesWhereTheRouteSetsNone() throws {
        let r = try Self.rendered()
        let retry = try #require(r.route("frontend")?.object("route")?.object("retry_policy"))
        // Istio 1.22: 503 is still retried by default.
        #expect(retry.string("retry_on") == "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes")
        #expect(retry["retriable_status_codes"] as? [Int] == [503])
        #expect(retry.int("num_retries") == 2)
        #expect(r.route("frontend")?.object("route")?.string("timeout") == "0s")
    }

    @Test func perServiceFaultKeysAndTheVirtualServicesFault() throws {
        let r = try Self.rendered()
        let keys = EnvoyRuntimeKeys(service: "svc2")
        let fault = try #require(r.route("svc2")?.object("typed_per_filter_config")?.object("envoy.filters.http.fault"))
        #expect(fault.string("abort_percent_runtime") == keys.abortPercent)
        #expect(fault.string("abort_http_status_runtime") == keys.abortHTTPStatus)
        #expect(fault.string("delay_percent_runtime") == keys.delayPercent)
        #expect(fault.string("delay_duration_runtime") == keys.delayDuration)
        #expect(fault.object("abort")?.object("percentage")?.int("numerator") == 0)
        #expect(fault.object("delay")?.object("percentage")?.int("numerator") == 0)
        // svc3's VirtualService declares a fault: it is in force, and Istio drops the route's retries and timeout.
        let svc3 = try #require(r.route("svc3"))
        let declared = try #require(svc3.object("typed_per_filter_config")?.object("envoy.filters.http.fault"))
        #expect(declared.object("abort")?.int("http_status") == 500)
        #expect(declared.object("abort")?.object("percentage")?.int("numerator") == 125_000)
        #expect(declared.object("abort")?.object("percentage")?.string("denominator") == "MILLION")
        #expect(declared.object("delay")?.string("fixed_delay") == "2s")
        #expect(declared.string("abort_percent_runtime") == EnvoyRuntimeKeys(service: "svc3").abortPercent)
        #expect(svc3.object("route")?.object("retry_policy") == nil)
        #expect(svc3.object("route")?.string("timeout") == "0s")
    }

    @Test func localRateLimitFromTheServicesBucket() throws {
        let r = try Self.rendered()
        let limit = try #require(r.route("svc2")?.object("typed_per_filter_config")?.object("envoy.filters.http.local_ratelimit"))
        #expect(limit.object("token_bucket")?.int("max_tokens") == 50)
        #expect(limit.object("token_bucket")?.int("tokens_per_fill") == 20)
        #expect(limit.object("token_bucket")?.string("fill_interval") == "0.5s")
        #expect(limit.object("filter_enforced")?.object("default_value")?.int("numerator") == 100)
        #expect(r.route("frontend")?.object("typed_per_filter_config")?.object("envoy.filters.http.local_ratelimit") == nil)
    }

    @Test func clustersCarryTheDestinationRule() throws {
        let r = try Self.rendered()
        let upstream = EnvoyUpstream(service: "svc2", subset: "two", subsetLabels: ["topology.istio.io/cluster": "cluster2"])
        let cluster = try #require(r.cluster(upstream.name))
        #expect(cluster.string("type") == "EDS")
        #expect(cluster.string("lb_policy") == "ROUND_ROBIN")
        #expect(cluster.string("connect_timeout") == "0.25s")
        let bind = cluster.object("upstream_bind_config")?.object("source_address")
        #expect(bind?.string("address") == r.envoy.sourceAddress && bind?.int("port_value") == 0, "the pods see the Envoy's own address")
        let source = cluster.object("eds_cluster_config")?.object("eds_config")?.object("path_config_source")
        #expect(source?.string("path") == r.files.edsFile(for: upstream))
        #expect(source?.object("watched_directory")?.string("path") == r.files.edsDirectory(for: upstream))
        let breaker = try #require(cluster.object("circuit_breakers")?.objects("thresholds").first)
        #expect(breaker.int("max_connections") == 100)
        #expect(breaker.int("max_pending_requests") == 10)
        #expect(breaker.int("max_requests") == 200)
        #expect(breaker.int("max_retries") == 7)
        let od = try #require(cluster.object("outlier_detection"))
        #expect(od.int("consecutive_5xx") == 3)
        #expect(od.int("enforcing_consecutive_5xx") == 100)
        #expect(od.int("consecutive_gateway_failure") == 2)
        #expect(od.string("interval") == "240s")
        #expect(od.string("base_ejection_time") == "600s")
        #expect(od.string("max_ejection_time") == "600s")
        #expect(od.int("max_ejection_percent") == 30)
        #expect(od.int("enforcing_success_rate") == 0)
        #expect(od["successful_active_health_check_uneject_host"] == nil)
        #expect(cluster.object("common_lb_config")?.object("healthy_panic_threshold")?.double("value") == 20)
        #expect(cluster.object("common_lb_config")?.object("locality_weighted_lb_config") == nil)
        #expect(cluster.object("track_cluster_stats")?["per_endpoint_stats"] as? Bool == true)
        #expect(cluster["health_checks"] == nil)
        let options = cluster.object("typed_extension_protocol_options")?.object("envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
        #expect(options?.object("common_http_protocol_options")?.int("max_requests_per_connection") == 50)
    }

    @Test func withoutADestinationRuleIstiosDefaults() throws {
        let r = try Self.rendered()
        let cluster = try #require(r.cluster("outbound|8080||frontend.default.svc.cluster.local"))
        #expect(cluster.string("lb_policy") == "LEAST_REQUEST")
        #expect(cluster.string("connect_timeout") == "10s")
        #expect(cluster["outlier_detection"] == nil)
        #expect(cluster.object("common_lb_config")?.object("healthy_panic_threshold")?.double("value") == 50)
        #expect(cluster.object("circuit_breakers")?.objects("thresholds").first?.int("max_connections") == 4_294_967_295)
    }

    @Test func timeScaleCompressesOnlyControlLoopTimings() throws {
        let r = try Self.rendered(options: EnvoyBootstrap.Options(timeScale: 0.05, healthCheck: EnvoyHealthCheck()))
        let cluster = try #require(r.cluster("outbound|8080||svc2.default.svc.cluster.local"))
        let od = try #require(cluster.object("outlier_detection"))
        #expect(od.string("interval") == "12s")
        #expect(od.string("base_ejection_time") == "30s")
        #expect(od.string("max_ejection_time") == "30s")
        #expect(od["successful_active_health_check_uneject_host"] as? Bool == false)
        #expect(cluster.string("connect_timeout") == "0.25s")
        #expect(r.route("svc2")?.object("route")?.string("timeout") == "2s")
        let check = try #require(cluster.objects("health_checks").first)
        #expect(check.object("http_health_check")?.string("path") == "/healthz")
        #expect(check.string("no_traffic_interval") == "1s")
    }

    @Test func jsonAccessLogWithTheKeysQuakeObserveReads() throws {
        let r = try Self.rendered()
        let log = try #require(r.manager?.objects("access_log").first?.object("typed_config"))
        #expect(log.string("path") == r.files.accessLog)
        let format = try #require(log.object("log_format")?.object("json_format"))
        for (key, op) in [("start_time", "%START_TIME%"), ("code", "%RESPONSE_CODE%"), ("flags", "%RESPONSE_FLAGS%"), ("duration_ms", "%DURATION%"),
                          ("upstream_host", "%UPSTREAM_HOST%"), ("upstream_cluster", "%UPSTREAM_CLUSTER%"), ("authority", "%REQ(:AUTHORITY)%")] {
            #expect(format.string(key) == op, "\(key)")
        }
        #expect(format.string("locality") == "region1/cluster1/a")
    }

    @Test func theSamePlanRendersTheSameBytes() throws {
        let plan = try LabFixtures.plan(Self.yaml)
        let layout = try LabLayout(plan: plan, basePort: 32000)
        let envoy = layout.envoys[0]
        let a = EnvoyBootstrap.render(plan: plan, envoy: envoy, files: envoy.files(in: "/x"))
        let b = EnvoyBootstrap.render(plan: try LabFixtures.plan(Self.yaml), envoy: envoy, files: envoy.files(in: "/x"))
        #expect(a == b)
    }

    @Test func runtimeKeysAndTheirQuery() {
        let keys = EnvoyRuntimeKeys(service: "svc2")
        let abort = keys.abort(status: 503, percentage: Percentage(20))
        #expect(EnvoyRuntimeKeys.query(abort) == "quake.fault.svc2.abort_http_status=503&quake.fault.svc2.abort_percent=20")
        #expect(EnvoyRuntimeKeys.query(keys.delay(.seconds(2), percentage: Percentage(10.4))) == "quake.fault.svc2.delay_ms=2000&quake.fault.svc2.delay_percent=10")
        #expect(EnvoyRuntimeKeys.query(keys.clearFaults).hasSuffix("quake.fault.svc2.delay_ms="))
        let weight = keys.weight(of: EnvoyUpstream(service: "svc2", subset: "one"))
        #expect(EnvoyRuntimeKeys.query([(weight, "0")]) == "quake.route.svc2.outbound%7C8080%7Cone%7Csvc2.default.svc.cluster.local=0")
    }
}
