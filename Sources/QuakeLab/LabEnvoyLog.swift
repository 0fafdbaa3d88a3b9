import Foundation
import QuakeCore
import QuakeObserve

/// Reads one lab Envoy's JSON access log as it grows, into an aggregator whose window 0 starts when
/// the run started. Envoy flushes the file every second (the lab's `--file-flush-interval-msec`).
struct LabEnvoyLog: Sendable {
    /// The Envoy whose log it is.
    let envoy: LabLayout.Envoy
    /// The log file.
    let path: String
    private var parser: AccessLogParser
    private(set) var aggregator: AccessLogAggregator
    private var offset: UInt64 = 0

    init(envoy: LabLayout.Envoy, path: String, window: TimeSpan, origin: Int64) {
        self.envoy = envoy
        self.path = path
        parser = AccessLogParser(syntax: .json, source: path)
        aggregator = AccessLogAggregator(window: window, origin: origin)
    }

    /// Names the cluster of a pod's address, so its requests count for that destination cluster.
    mutating func name(host: String, cluster: String) { aggregator.hostClusters[host] = cluster }

    /// Reads what was appended since the last call; a file not written yet reads as empty.
    mutating func readNew() throws(LabError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seek(toOffset: offset)
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw LabError(code: .file, message: "cannot read the access log: \(error.localizedDescription)", location: path)
        }
        offset += UInt64(data.count)
        var aggregator = self.aggregator
        data.withUnsafeBytes { parser.feed($0) { aggregator.add($0) } }
        self.aggregator = aggregator
    }

    /// The timeline of what was read so far (client locality nil), with the windows before
    /// `first` left empty.
    func timeline(from first: Int = 0) -> Timeline { aggregator.timeline(symbols: parser.symbols, from: first) }

    /// Lines that could not be read, for the report.
    var malformed: AccessLogMalformedLines { parser.malformed }
}
