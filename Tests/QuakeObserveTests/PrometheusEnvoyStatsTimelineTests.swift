import Foundation
import QuakeCore
import QuakeHTTP
@testable import QuakeObserve
import Testing

/// The lab Envoys' stats as Prometheus scraped them (raw samples of a range selector) turned into
/// Timeline events and metric series.
@Suite struct PrometheusEnvoyStatsTimelineTests {
    static let origin = Date(timeIntervalSince1970: 1_764_073_300)
    static let client = Locality(region: "r1", cluster: "c1", zone: "a")
    /// Envoy 1.40's names for a cluster-level figure of `outbound|8080||backend.default.svc.cluster.local`.
    static let cut = "outbound|8080||backend"
    static let whole = "outbound|8080||backend.default.svc.cluster.local"

    /// A reader of `windows` one-second windows of one Envoy, `envoy-c1-a` in r1/c1/a, with backend's two pods named.
    static func reader(windows: Int = 4) -> EnvoyStatsTimeline {
        var reader = EnvoyStatsTimeline(proxies: [.init(label: "envoy-c1-a", locality: client)], origin: origin, window: .seconds(1), windowCount: windows)
        reader.name(address: "127.0.0.1:20010", pod: "backend-c1-0")
        reader.name(address: "127.0.0.1:20011", pod: "backend-c1-1")
        return reader
    }

    /// One scrape of the Envoy: its time (seconds from the origin) and each figure's value.
    struct Scrape {
        var at: Double
        var healthy: [Double] = [1, 1]
        var errors: [Double] = [0, 0]
        var members: Double = 2
        var active: Double = 0
        var enforced: Double = 0
        var overflow: Double = 0
        var fiveXX: Double = 0
    }

    /// The series Prometheus holds for `scrapes`, as a range selector gives them.
    static func answer(_ scrapes: [Scrape], envoy: String = "envoy-c1-a", folded: Bool = true) -> PrometheusQueryResult {
        func series(_ name: String, _ labels: [String: String], _ value: (Scrape) -> Double) -> PrometheusSeries {
            PrometheusSeries(metric: labels.merging(["__name__": name, "job": "envoy", "envoy": envoy, "instance": "127.0.0.1:20002"]) { $1 },
                             points: scrapes.map { PrometheusPoint(time: origin.timeIntervalSince1970 + $0.at, value: value($0)) })
        }
        let clusterName = folded ? cut : whole
        let cluster = { (stat: String) in folded ? "envoy_cluster_default_svc_cluster_local_" + stat : "envoy_cluster_" + stat }
        var all = [
            series(cluster("membership_healthy"), ["envoy_cluster_name": clusterName]) { $0.members - Double($0.healthy.filter { $0 == 0 }.count) },
            series(cluster("membership_total"), ["envoy_cluster_name": clusterName]) { $0.members },
            series(cluster("outlier_detection_ejections_active"), ["envoy_cluster_name": clusterName]) { $0.active },
            series(cluster("outlier_detection_ejections_enforced_total"), ["envoy_cluster_name": clusterName]) { $0.enforced },
            series(cluster("outlier_detection_ejections_overflow"), ["envoy_cluster_name": clusterName]) { $0.overflow },
            series(cluster("upstream_rq_xx"), ["envoy_cluster_name": clusterName, "envoy_response_code_class": "5"]) { $0.fiveXX },
        ]
        for (i, port) in [20010, 20011].enumerated() {
            let endpoint = ["envoy_cluster_name": whole, "envoy_endpoint_address": "127.0.0.1:\(port)"]
            all.append(series("envoy_cluster_endpoint_healthy", endpoint) { $0.healthy[i] })
            all.append(series("envoy_cluster_endpoint_rq_error", endpoint) { $0.errors[i] })
            all.append(series("envoy_cluster_endpoint_rq_timeout", endpoint) { _ in 0 })
        }
        return PrometheusQueryResult(data: .matrix(all))
    }

    /// Events as `at kind subject: detail` lines.
    static func lines(_ reader: EnvoyStatsTimeline) -> [String] { reader.events.map(\.description) }

    @Test func aRecordedNodeCrashReadsAsEjectionsAndMembership() throws {
        // Scrapes fall at 3.5 s, 4.5 s … 26.5 s of a 30 s run from this origin.
        let origin = Date(timeIntervalSince1970: 1_795_625_728.913)
        var reader = EnvoyStatsTimeline(proxies: [.init(label: "envoy-c1-a", locality: Self.client)], origin: origin, window: .seconds(1), windowCount: 30)
        for (port, pod) in zip(26003..., ["backend-c1-0", "backend-c1-1", "backend-c1-2", "backend-c1-3"]) { reader.name(address: "127.0.0.1:\(port)", pod: pod) }
        let body = try PrometheusFixtures.data(PrometheusFixtures.labNodeCrash)
        let answer = try PrometheusAPIClient.decode(HTTPResponse(status: 200, headers: [:], body: body, timings: HTTPTimings(dns: .zero, connect: .zero, tls: .zero, firstByte: .zero, total: .zero)), url: "recorded")
        try reader.add(answer)
        #expect(Self.lines(reader) == [
            "4.5s host-ejected backend-c1-0: by r1/c1/a's Envoy for backend (1 of 4 ejected)",
            "4.5s membership-changed backend: r1/c1/a's Envoy: 3 of 4 healthy (was 4 of 4)",
            // Back after its 3 s ejection, it failed again at once and was ejected for 6 s.
            "7.5s host-returned backend-c1-0: to r1/c1/a's Envoy for backend",
            "7.5s host-ejected backend-c1-0: by r1/c1/a's Envoy for backend again, before the next scrape (1 of 4 ejected)",
            "9.5s membership-changed backend: r1/c1/a's Envoy: 3 of 3 healthy (was 3 of 4)",
            "24.5s membership-changed backend: r1/c1/a's Envoy: 4 of 4 healthy (was 3 of 3)",
        ])
        let total = try #require(reader.metrics.first { $0.query.contains("membership_total") })
        #expect(total.query == "envoy_cluster_default_svc_cluster_local_membership_total{envoy=\"envoy-c1-a\",envoy_cluster_name=\"outbound|8080||backend\"}")
        let known: [Double?] = [4, 4, 4, 4, 4, 4] + [Double?](repeating: 3, count: 15) + [4, 4]
        #expect(total.values == [nil, nil, nil] + known + [nil, nil, nil, nil], "nothing before the first scrape, nor after the last one")
        let answered = try #require(reader.metrics.first { $0.query.contains("envoy_response_code_class=\"2\"") })
        #expect(answered.values.compactMap { $0 }.reduce(0, +) == 2_200, "the 2xx counter went from 484 to 2,684 between the ends of windows 3 and 25")
    }

    @Test func anEjectionAndItsReturnAreEventsOfThePodAsTheModelWordsThem() throws {
        var reader = Self.reader()
        try reader.add(Self.answer([
            Scrape(at: -0.5), Scrape(at: 0.5),
            Scrape(at: 1.5, healthy: [1, 0], errors: [0, 3], active: 1, enforced: 1, fiveXX: 3),
            Scrape(at: 2.5, healthy: [1, 0], errors: [0, 3], active: 1, enforced: 1, fiveXX: 3),
            Scrape(at: 3.5, errors: [0, 3], enforced: 1, fiveXX: 3),
        ]))
        #expect(Self.lines(reader) == [
            "1.5s host-ejected backend-c1-1: by r1/c1/a's Envoy for backend (1 of 2 ejected)",
            "1.5s membership-changed backend: r1/c1/a's Envoy: 1 of 2 healthy (was 2 of 2)",
            "3.5s host-returned backend-c1-1: to r1/c1/a's Envoy for backend",
            "3.5s membership-changed backend: r1/c1/a's Envoy: 2 of 2 healthy (was 1 of 2)",
        ])
    }

    @Test func windowsHoldWhatAnInstantQueryAtTheirEndGives() throws {
        var reader = Self.reader()
        try reader.add(Self.answer([
            Scrape(at: -0.5), Scrape(at: 0.5, fiveXX: 1),
            Scrape(at: 1.5, healthy: [1, 0], active: 1, enforced: 1, fiveXX: 4),
            Scrape(at: 2.5, healthy: [1, 0], active: 1, enforced: 1, fiveXX: 4),
            Scrape(at: 3.5, enforced: 1, fiveXX: 4),
        ]))
        let metrics = Dictionary(uniqueKeysWithValues: reader.metrics.map { ($0.query, $0.values) })
        let labels = "{envoy=\"envoy-c1-a\",envoy_cluster_name=\"outbound|8080||backend\"}"
        // Window 3 ends at 4 s: no scrape after it was read, so its value is not known yet.
        #expect(metrics["envoy_cluster_default_svc_cluster_local_membership_healthy" + labels] == [2, 1, 1, nil])
        #expect(metrics["envoy_cluster_default_svc_cluster_local_membership_total" + labels] == [2, 2, 2, nil])
        #expect(metrics["envoy_cluster_default_svc_cluster_local_outlier_detection_ejections_active" + labels] == [0, 1, 1, nil])
        let ejections = "envoy_cluster_default_svc_cluster_local_outlier_detection_ejections_enforced_total" + labels
        #expect(metrics["\(ejections) - \(ejections) offset 1000ms"] == [0, 1, 0, nil])
        let errors = "envoy_cluster_default_svc_cluster_local_upstream_rq_xx{envoy=\"envoy-c1-a\",envoy_cluster_name=\"outbound|8080||backend\",envoy_response_code_class=\"5\"}"
        #expect(metrics["\(errors) - \(errors) offset 1000ms"] == [1, 3, 0, nil])
        #expect(reader.metrics.count == 5, "per-endpoint series and the overflow counter are read for events only")

        try reader.add(Self.answer([Scrape(at: 4.5, enforced: 1, fiveXX: 4)]))
        #expect(reader.metrics.first { $0.query.hasPrefix("envoy_cluster_default_svc_cluster_local_membership_healthy") }?.values == [2, 1, 1, 2])
    }

    @Test func overlappingAnswersGiveEachEventOnce() throws {
        var reader = Self.reader()
        let scrapes = [Scrape(at: 0.2), Scrape(at: 1.2, healthy: [0, 1], active: 1, enforced: 1)]
        try reader.add(Self.answer(scrapes))
        try reader.add(Self.answer(scrapes + [Scrape(at: 2.2, healthy: [0, 1], active: 1, enforced: 1)]))
        #expect(reader.events.filter { $0.kind == .hostEjected }.map(\.subject) == ["backend-c1-0"])
        #expect(reader.events.count == 2)
    }

    @Test func anEjectionBetweenTwoScrapesGoesToTheHostWhoseErrorsRose() throws {
        var reader = Self.reader()
        try reader.add(Self.answer([
            Scrape(at: 0.5), Scrape(at: 1.5, errors: [0, 3], enforced: 1),
            // Seen ejected, then back and ejected again before the next scrape: the ejected host had new errors.
            Scrape(at: 2.5, healthy: [1, 0], errors: [0, 3], active: 1, enforced: 2),
            Scrape(at: 3.5, healthy: [1, 0], errors: [0, 6], active: 1, enforced: 3),
        ]))
        #expect(Self.lines(reader).filter { !$0.contains("membership") } == [
            "1.5s host-ejected backend-c1-1: by r1/c1/a's Envoy for backend, and back before the next scrape",
            "1.5s host-returned backend-c1-1: to r1/c1/a's Envoy for backend",
            "2.5s host-ejected backend-c1-1: by r1/c1/a's Envoy for backend (1 of 2 ejected)",
            "3.5s host-returned backend-c1-1: to r1/c1/a's Envoy for backend",
            "3.5s host-ejected backend-c1-1: by r1/c1/a's Envoy for backend again, before the next scrape (1 of 2 ejected)",
        ])
    }

    @Test func anEjectionNoHostExplainsIsTheService() throws {
        var reader = Self.reader()
        try reader.add(Self.answer([Scrape(at: 0.5), Scrape(at: 1.5, enforced: 2)]))
        #expect(Self.lines(reader) == ["1.5s host-ejected backend: by r1/c1/a's Envoy for backend: 2 ejections of hosts no scrape showed"])
    }

    @Test func aBlockedEjectionNamesTheFailingHealthyHostOnce() throws {
        var reader = Self.reader()
        try reader.add(Self.answer([
            Scrape(at: 0.5), Scrape(at: 1.5, healthy: [0, 1], active: 1, enforced: 1),
            Scrape(at: 2.5, healthy: [0, 1], errors: [0, 3], active: 1, enforced: 1, overflow: 1),
            Scrape(at: 3.5, healthy: [0, 1], errors: [0, 6], active: 1, enforced: 1, overflow: 2),
        ]))
        let blocked = reader.events.filter { $0.kind == .ejectionBlocked }
        #expect(blocked.map(\.description) == ["2.5s ejection-blocked backend-c1-1: by r1/c1/a's Envoy for backend: max_ejection_percent reached (1 of 2 ejected)"])
    }

    @Test func wholeClusterNamesReadTheSameAsCutOnes() throws {
        var cut = Self.reader(), whole = Self.reader()
        let scrapes = [Scrape(at: 0.5), Scrape(at: 1.5, healthy: [1, 0], active: 1, enforced: 1), Scrape(at: 2.5, enforced: 1)]
        try cut.add(Self.answer(scrapes, folded: true))
        try whole.add(Self.answer(scrapes, folded: false))
        #expect(cut.events == whole.events)
        #expect(whole.metrics.map(\.query).contains("envoy_cluster_membership_total{envoy=\"envoy-c1-a\",envoy_cluster_name=\"\(Self.whole)\"}"))
    }

    @Test func onlyTheRunsWindowsHoldEvents() throws {
        var reader = Self.reader(windows: 2)
        try reader.add(Self.answer([
            Scrape(at: -2), Scrape(at: -1, healthy: [1, 0], active: 1, enforced: 1), Scrape(at: 0.5, healthy: [1, 0], active: 1, enforced: 1),
            Scrape(at: 1.5), Scrape(at: 2.5, healthy: [0, 1], active: 1, enforced: 2),
        ]))
        #expect(Self.lines(reader) == [
            "1.5s host-returned backend-c1-1: to r1/c1/a's Envoy for backend",
            "1.5s membership-changed backend: r1/c1/a's Envoy: 2 of 2 healthy (was 1 of 2)",
        ], "what happened before the run is the state it starts from; after its last window, nothing counts")
    }

    @Test func otherEnvoysAndMetricsAreLeftOut() throws {
        var reader = Self.reader()
        try reader.add(Self.answer([Scrape(at: 0.5), Scrape(at: 1.5, healthy: [1, 0], active: 1, enforced: 1)], envoy: "envoy-elsewhere"))
        #expect(reader.events.isEmpty && reader.metrics.isEmpty)
        var external = Self.answer([Scrape(at: 0.5), Scrape(at: 1.5, healthy: [1, 0])])
        if case .matrix(let series) = external.data {
            external.data = .matrix(series.map { s in
                var s = s
                s.metric["__name__"] = s.metric["__name__"].map {
                    $0.replacingOccurrences(of: "membership", with: "external_membership").replacingOccurrences(of: "endpoint_healthy", with: "endpoint_unhealthy")
                }
                return s
            })
        }
        try reader.add(external)
        #expect(reader.events.isEmpty)
        #expect(reader.metrics.count == 3, "only the ejection and request figures are left: \(reader.metrics.map(\.query))")
    }

    /// Prometheus answers any finite number: a scrape time far from the run made the event time
    /// overflow `Int64`, and a counter read below zero made its rise overflow `Int`; both crashed.
    @Test func scrapesFarFromTheRunAndNegativeCountersAreRead() throws {
        var reader = Self.reader()
        try reader.add(Self.answer([Scrape(at: 0.5, enforced: 1), Scrape(at: 1.5, enforced: -1e300), Scrape(at: 1e300, healthy: [1, 0], members: 2, active: 1)]))
        #expect(Self.lines(reader).isEmpty, "nothing happened within the run")
    }

    @Test func anAnswerThatIsNotSamplesIsRefused() {
        var reader = Self.reader()
        #expect(throws: ObserveError.self) {
            try reader.add(PrometheusQueryResult(data: .vector([])))
        }
    }

    @Test func theSelectorAsksForWhatItReads() {
        let reader = Self.reader()
        #expect(reader.rangeQuery(seconds: 4.2001) == reader.selector + "[4201ms]")
        #expect(reader.selector.hasPrefix("{job=\"envoy\",__name__=~\"envoy_cluster_endpoint_(healthy|rq_error|rq_timeout)|envoy_cluster_([a-z0-9-]+_svc_cluster_local_)?(membership_healthy|"))
    }
}
