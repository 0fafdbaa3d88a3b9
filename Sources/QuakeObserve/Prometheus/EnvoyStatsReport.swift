import Foundation

/// Summarises a saved Envoy (or Istio sidecar) `/stats/prometheus` page per upstream cluster.
///
/// Per cluster (named by the `envoy_cluster_name` label, or Istio's `cluster_name` such as
/// `outbound|9080||reviews.default.svc.cluster.local`): upstream requests in total and by response
/// code class, retries, retry limit exceeded, timeouts, pending overflow (circuit breaker), connect
/// failures, healthy/total members and outlier ejections (active, enforced in total, overflow).
/// For Istio, `istio_requests_total` by reporter, destination service, response code and flags.
/// Series from several lines for the same cluster and field are added up.
public enum EnvoyStatsReport {
    /// The summary of the page in `data` as a readable table, or as JSON when `json` is true.
    ///
    /// The whole page is parsed strictly (one pass, interned strings).
    /// - Throws: ``ObserveError`` with code `malformed` and the line number when the page is not
    ///   valid Prometheus text.
    public static func render(_ data: Data, json: Bool) throws -> String {
        let summary = try Summary(data)
        return json ? try summary.json() : summary.table()
    }

    /// The clusters and Istio counts of one page.
    struct Summary {
        var clusters: [EnvoyClusterStats]
        var istio: [IstioRequestCount]
        var samples: Int
        var lines: Int

        init(_ data: Data) throws {
            var clusters: [String: EnvoyClusterStats] = [:]
            var istio: [[String]: Double] = [:]
            let parser = try PrometheusTextParser.parse(data) { sample in
                if sample.name == "istio_requests_total" {
                    let key = [
                        sample.label("reporter") ?? "-",
                        sample.label("destination_service") ?? sample.label("destination_service_name") ?? "-",
                        sample.label("response_code") ?? "-",
                        sample.label("response_flags") ?? "-",
                    ]
                    istio[key, default: 0] += sample.value
                    return
                }
                guard sample.name.hasPrefix("envoy_cluster_"),
                      let cluster = sample.label("envoy_cluster_name") ?? sample.label("cluster_name")
                else { return }
                if sample.name == "envoy_cluster_upstream_rq_xx" {
                    guard var codeClass = sample.label("envoy_response_code_class") ?? sample.label("response_code_class") else { return }
                    if codeClass.hasSuffix("xx") { codeClass.removeLast(2) }
                    clusters[cluster, default: EnvoyClusterStats(name: cluster)].requestsByClass[codeClass, default: 0] += sample.value
                } else if let field = EnvoyClusterStats.field(sample.name) {
                    var stats = clusters[cluster] ?? EnvoyClusterStats(name: cluster)
                    stats[keyPath: field] = (stats[keyPath: field] ?? 0) + sample.value
                    clusters[cluster] = stats
                }
            }
            self.clusters = clusters.values.sorted { $0.name < $1.name }
            self.istio = istio.map { key, requests in
                IstioRequestCount(reporter: key[0], destination: key[1], responseCode: key[2], responseFlags: key[3], requests: requests)
            }.sorted { ($0.reporter, $0.destination, $0.responseCode, $0.responseFlags) < ($1.reporter, $1.destination, $1.responseCode, $1.responseFlags) }
            samples = parser.sampleCount
            lines = parser.lineCount
        }

        private struct Document: Encodable {
            var clusters: [EnvoyClusterStats]
            var istioRequests: [IstioRequestCount]
            var samples: Int
        }

        /// Pretty-printed JSON with sorted keys; a missing series is `null`, NaN and infinities are strings.
        func json() throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
            let data = try encoder.encode(Document(clusters: clusters, istioRequests: istio, samples: samples))
            return String(decoding: data, as: UTF8.self) + "\n"
        }

        /// Aligned columns, `-` where the page has no such series.
        func table() -> String {
            var out = ""
            if clusters.isEmpty && istio.isEmpty {
                return "No Envoy cluster or istio_requests_total series on this page (\(samples) samples in \(lines) lines).\n"
            }
            if !clusters.isEmpty {
                let classes = Set(clusters.flatMap(\.requestsByClass.keys)).sorted()
                var header = ["cluster", "requests"] + classes.map { "\($0)xx" }
                header += ["retries", "retry limit", "timeouts", "pending overflow", "connect fail", "healthy/total",
                           "ejected now", "ejections", "ejection overflow"]
                let rows = clusters.map { c -> [String] in
                    var row = [c.name, Self.number(c.requestsTotal)] + classes.map { Self.number(c.requestsByClass[$0]) }
                    let members = c.membershipHealthy == nil && c.membershipTotal == nil
                        ? "-" : "\(Self.number(c.membershipHealthy))/\(Self.number(c.membershipTotal))"
                    row += [Self.number(c.retries), Self.number(c.retryLimitExceeded), Self.number(c.timeouts),
                            Self.number(c.pendingOverflow), Self.number(c.connectFailures), members,
                            Self.number(c.ejectionsActive), Self.number(c.ejectionsEnforcedTotal), Self.number(c.ejectionsOverflow)]
                    return row
                }
                out += "Envoy clusters (\(clusters.count))\n" + Self.columns([header] + rows)
            }
            if !istio.isEmpty {
                if !out.isEmpty { out += "\n" }
                let header = ["reporter", "destination", "code", "flags", "requests"]
                let rows = istio.map { [$0.reporter, $0.destination, $0.responseCode, $0.responseFlags, Self.number($0.requests)] }
                out += "Istio requests (istio_requests_total)\n" + Self.columns([header] + rows)
            }
            return out
        }

        /// Rows padded to aligned columns: the first column left-aligned, the others right-aligned.
        private static func columns(_ rows: [[String]]) -> String {
            let count = rows.map(\.count).max() ?? 0
            let widths = (0..<count).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
            return rows.map { row in
                row.enumerated().map { column, cell in
                    let padding = String(repeating: " ", count: widths[column] - cell.count)
                    return column == 0 ? cell + padding : padding + cell
                }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
            }.joined(separator: "\n") + "\n"
        }

        /// A value as people read it: integers without a fraction, `-` when missing.
        static func number(_ value: Double?) -> String {
            guard let value else { return "-" }
            if value.isNaN { return "NaN" }
            if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
            if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
            return String(format: "%g", value)
        }
    }
}
