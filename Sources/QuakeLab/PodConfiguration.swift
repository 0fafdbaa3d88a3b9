import Foundation
import QuakeCore

/// Everything one lab pod process needs: where it listens, which service it plays, how long a
/// request takes, how often it fails and which services it calls for every request.
///
/// ``arguments`` renders it as the flags of `quake pod`, and the command parses them back with
/// the same spellings (``parseServiceTime(_:)``, ``parseErrorRate(_:)``, ``Downstream/init(argument:)``),
/// so the lab builds a pod's command line from a configuration and never by hand.
public struct PodConfiguration: Sendable, Equatable {
    /// A service called through an Envoy for every request, in the order of ``calls``.
    public struct Downstream: Sendable, Equatable {
        /// The called service's name, sent as the `Host` header so that Envoy picks its route.
        public var service: String
        /// Where to send the call: the caller's locality's Envoy, such as
        /// `http://127.0.0.1:15001/`, or a pod's own URL when no Envoy is in between.
        public var url: String

        /// A downstream call from its parts.
        public init(service: String, url: String) {
            self.service = service
            self.url = url
        }

        /// Parses `service=URL`, the spelling of `quake pod --call`.
        public init(argument: String) throws {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw LabError(code: .config, message: "give a downstream call as service=URL, such as svc2=http://127.0.0.1:15001/, not '\(argument)'")
            }
            let service = String(argument[..<equals]), url = String(argument[argument.index(after: equals)...])
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw LabError(code: .config, message: "the URL of downstream call '\(service)' must start with http:// or https://, not '\(url)'")
            }
            self.init(service: service, url: url)
        }

        /// The `service=URL` spelling that ``init(argument:)`` reads.
        public var argument: String { "\(service)=\(url)" }
    }

    /// The loopback port to listen on; 0 lets the system choose (read it from ``PodServer/port``).
    public var port: Int
    /// The address to listen on; the lab keeps everything on 127.0.0.1.
    public var host: String
    /// The service this pod belongs to (a label on every metric).
    public var service: String
    /// The pod's own name (a label on every metric, and the `x-quake-pod` response header).
    public var pod: String
    /// How long one request takes inside the pod, not counting downstream calls.
    public var serviceTime: ServiceTime
    /// The fraction (0...1) of requests the application itself fails.
    public var errorRate: Double
    /// The status of a failed request, whether the application failed it or a downstream call
    /// failed: 500 by default, as the model answers both (see docs/lab.md, "Pods").
    public var errorStatus: Int
    /// Services called in order for every request that did not fail on its own; the first
    /// failed call ends the request with ``errorStatus``.
    public var calls: [Downstream]
    /// The limit on each downstream call, connecting included.
    public var downstreamTimeout: Duration
    /// The seed of the generator that draws service times and errors.
    public var seed: UInt64
    /// A file to append the pod's log lines to; `nil` logs nothing.
    public var logFile: String?
    /// How many event-loop threads serve connections; one is plenty for a lab pod.
    public var threads: Int
    /// How long a graceful shutdown waits for requests in flight before closing their connections.
    public var shutdownGrace: Duration
    /// How long after the process started it begins to listen: a restarted container's start-up
    /// time, during which connections to its port are refused (`quake pod` counts it from the
    /// process's start, so the time taken to load the program is part of it).
    public var startDelay: Duration
    /// The peers (IP addresses, as ``parseCutOff(_:)`` writes them) whose requests the pod holds
    /// unanswered, as a hung process would, until it is told otherwise (`POST /control/cut-off`):
    /// the lab's Envoys on the other side of a partition.
    public var cutOff: [String]

    /// A configuration from its parts; only the service and the pod name have no default.
    public init(
        service: String, pod: String, port: Int = 0, host: String = "127.0.0.1",
        serviceTime: ServiceTime = .fixed(.zero), errorRate: Double = 0, errorStatus: Int = 500,
        calls: [Downstream] = [], downstreamTimeout: Duration = .seconds(30), seed: UInt64 = 1,
        logFile: String? = nil, threads: Int = 1, shutdownGrace: Duration = .seconds(5), startDelay: Duration = .zero,
        cutOff: [String] = []
    ) {
        self.service = service
        self.pod = pod
        self.port = port
        self.host = host
        self.serviceTime = serviceTime
        self.errorRate = errorRate
        self.errorStatus = errorStatus
        self.calls = calls
        self.downstreamTimeout = downstreamTimeout
        self.seed = seed
        self.logFile = logFile
        self.threads = threads
        self.shutdownGrace = shutdownGrace
        self.startDelay = startDelay
        self.cutOff = cutOff
    }

    /// Checks the values a command line or a plan could get wrong; throws ``LabError`` with code `config`.
    public func validate() throws {
        func fail(_ message: String) -> LabError { LabError(code: .config, message: message, location: pod) }
        guard (0...65535).contains(port) else { throw fail("port \(port) is not between 0 and 65535") }
        guard !service.isEmpty, !pod.isEmpty else { throw fail("a pod needs a service name and a pod name") }
        for name in [service, pod] where name.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "\"" || $0 == "\\" }) {
            throw fail("'\(name)' holds a space, a control character, a quote or a backslash; service and pod names go into headers and metric labels")
        }
        guard errorRate.isFinite, (0...1).contains(errorRate) else { throw fail("error rate \(errorRate) is not between 0 and 1") }
        guard (500...599).contains(errorStatus) else { throw fail("error status \(errorStatus) is not a 5xx status") }
        guard threads >= 1 else { throw fail("a pod needs at least one thread") }
        guard downstreamTimeout > .zero else { throw fail("the downstream timeout must be above zero") }
        guard startDelay >= .zero else { throw fail("the start delay cannot be negative") }
        for peer in cutOff where Self.normalizedAddress(peer) != peer {
            throw fail("cannot cut off '\(peer)': give IP addresses as inet_ntop writes them, such as 127.1.0.1")
        }
        switch serviceTime {
        case let .fixed(t):
            guard t.microseconds >= 0 else { throw fail("the service time cannot be negative") }
        case let .logNormal(p50, p99):
            guard p50.microseconds > 0, p99 >= p50 else { throw fail("a log-normal service time needs p50 above zero and p99 not below p50") }
        }
    }

    /// The flags of `quake pod` that recreate this configuration (the command's name not included).
    public var arguments: [String] {
        var out = [
            "--port", String(port), "--host", host, "--service", service, "--pod", pod,
            "--service-time", Self.argument(serviceTime),
            "--error-rate", Self.decimal(errorRate), "--error-status", String(errorStatus),
            "--downstream-timeout", Self.argument(downstreamTimeout),
            "--seed", String(seed), "--threads", String(threads),
            "--shutdown-grace", Self.argument(shutdownGrace),
        ]
        if startDelay > .zero { out += ["--start-delay", Self.argument(startDelay)] }
        if !cutOff.isEmpty { out += ["--cut-off", Self.cutOffArgument(cutOff)] }
        for call in calls { out += ["--call", call.argument] }
        if let logFile { out += ["--log-file", logFile] }
        return out
    }

    /// Parses a service time as `quake pod --service-time` takes it: a duration such as `50ms`
    /// (fixed) or `p50=4ms,p99=30ms` (log-normal through those two percentiles).
    public static func parseServiceTime(_ text: String) throws -> ServiceTime {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let fixed = TimeSpan(parsing: trimmed) { return .fixed(fixed) }
        var p50: TimeSpan?, p99: TimeSpan?
        for part in trimmed.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let value = TimeSpan(parsing: pair[1]) else { p50 = nil; p99 = nil; break }
            switch pair[0] {
            case "p50": p50 = value
            case "p99": p99 = value
            default: break
            }
        }
        guard let p50, let p99 else {
            throw LabError(code: .config, message: "give a service time as a duration (50ms) or as p50=4ms,p99=30ms, not '\(text)'")
        }
        return .logNormal(p50: p50, p99: p99)
    }

    /// Parses an error rate: a fraction such as `0.3`, or a percentage such as `30%`.
    public static func parseErrorRate(_ text: String) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let value = Percentage(parsing: trimmed)?.fraction ?? Double(trimmed)
        guard let value, value.isFinite, (0...1).contains(value) else {
            throw LabError(code: .config, message: "give an error rate as a fraction (0.3) or a percentage (30%) between 0 and 100 %, not '\(text)'")
        }
        return value
    }

    /// Parses a duration in the plan's syntax (`250ms`, `5s`).
    public static func parseDuration(_ text: String) throws -> Duration {
        guard let span = TimeSpan(parsing: text), span.microseconds >= 0 else {
            throw LabError(code: .config, message: "give a duration such as 250ms or 5s, not '\(text)'")
        }
        return .microseconds(span.microseconds)
    }

    static func argument(_ time: ServiceTime) -> String {
        switch time {
        case let .fixed(t): return t.description
        case let .logNormal(p50, p99): return "p50=\(p50),p99=\(p99)"
        }
    }

    static func argument(_ duration: Duration) -> String {
        TimeSpan(microseconds: microseconds(duration)).description
    }

    /// `duration` in whole microseconds, rounded towards zero.
    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    /// A fraction written so that `Double(_:)` reads back the same value.
    static func decimal(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}

