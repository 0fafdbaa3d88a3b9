import ArgumentParser
import Dispatch
import Foundation
import QuakeLab
import Synchronization

/// `quake pod`: one lab pod, an HTTP/1.1 server playing one replica of a service. Internal: the
/// lab starts it (through `ProcessSupervisor.startPod`), with flags rendered by
/// `PodConfiguration.arguments`.
struct PodCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pod",
        abstract: "Run one lab pod (internal: started by `quake run --target lab`, not by hand).",
        discussion: """
            Serves HTTP/1.1 with keep-alive on 127.0.0.1: every path waits the service time, fails \
            with the error rate, and calls each --call service in order (Host: <service>), failing \
            with --error-status when a call fails. GET /healthz, GET /metrics (Prometheus text), \
            POST /control/health?fail=1|0, /control/errors?rate=0.5, /control/delay?ms=200, \
            /control/reset, /control/cut-off?peers=ADDR,... (GET reads it): requests from a peer \
            cut off are held unanswered, as by a hung process. Writes nothing to the terminal once serving; SIGTERM or SIGINT shut it \
            down gracefully. See docs/lab.md, "Pods".
            Exit 0 after a shutdown, 2 for a usage error, 5 when the port cannot be had.
            """,
        shouldDisplay: false
    )

    @Option(help: "The port to listen on (0: the system chooses).")
    var port: Int

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The service this pod plays.")
    var service: String

    @Option(help: "The pod's name (default: the service's).")
    var pod: String?

    @Option(help: ArgumentHelp("The service time: a duration (50ms) or a log-normal p50=4ms,p99=30ms.", valueName: "time"))
    var serviceTime = "0s"

    @Option(help: ArgumentHelp("The share of requests that fail on their own: 0.3 or 30%.", valueName: "rate"))
    var errorRate = "0"

    @Option(help: "The status of a failed request, on its own or because a call failed.")
    var errorStatus = 500

    @Option(name: .customLong("call"), help: ArgumentHelp("A service called for every request, in order: service=URL of the locality's Envoy (repeat).", valueName: "service=URL"))
    var calls: [String] = []

    @Option(help: ArgumentHelp("The limit on each downstream call.", valueName: "duration"))
    var downstreamTimeout = "30s"

    @Option(help: "The seed of service-time and error draws.")
    var seed: UInt64 = 1

    @Option(help: "Event-loop threads.")
    var threads = 1

    @Option(help: ArgumentHelp("How long a shutdown waits for requests in flight.", valueName: "duration"))
    var shutdownGrace = "5s"

    @Option(help: ArgumentHelp("How long after the process started to begin listening (a restarted container's start-up time, counted from the process's start, so its own start-up is part of it).", valueName: "duration"))
    var startDelay = "0s"

    @Option(help: ArgumentHelp("Peers whose requests are held unanswered, as by a hung process (a partition): IP addresses, comma-separated.", valueName: "addr,..."))
    var cutOff = ""

    @Option(help: "Append log lines to this file (default: no log).")
    var logFile: String?

    func run() async throws {
        let configuration: PodConfiguration
        do {
            configuration = try makeConfiguration()
            try configuration.validate()
        } catch {
            throw report(error, status: .invalid)
        }
        // Signals arrive through dispatch sources, installed before the pod starts listening so
        // that a SIGTERM sent at any time is seen.
        signal(SIGPIPE, SIG_IGN)
        let shutdown = ShutdownRequest()
        let sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { shutdown.request() }
            source.resume()
            return source
        }
        defer { for source in sources { source.cancel() } }
        // The delay counts from the process's start: the time a busy machine takes to load it is
        // part of the start-up time, not added to it.
        guard await shutdown.wait(configuration.startDelay - (ProcessAge.ofThisProcess() ?? .zero)) else { return }
        do {
            try await PodServer.withServer(configuration) { server in
                shutdown.attach(server)
                await server.waitForShutdownRequest()
            }
        } catch {
            throw report(error, status: .targetError)
        }
    }

    private func makeConfiguration() throws -> PodConfiguration {
        PodConfiguration(
            service: service, pod: pod ?? service, port: port, host: host,
            serviceTime: try PodConfiguration.parseServiceTime(serviceTime),
            errorRate: try PodConfiguration.parseErrorRate(errorRate), errorStatus: errorStatus,
            calls: try calls.map(PodConfiguration.Downstream.init(argument:)),
            downstreamTimeout: try PodConfiguration.parseDuration(downstreamTimeout), seed: seed,
            logFile: logFile, threads: threads, shutdownGrace: try PodConfiguration.parseDuration(shutdownGrace),
            startDelay: try PodConfiguration.parseDuration(startDelay), cutOff: try PodConfiguration.parseCutOff(cutOff)
        )
    }

    /// Writes why the pod could not run to standard error (the lab sends it to the pod's log
    /// file) and returns the exit code.
    private func report(_ error: any Error, status: ExitStatus) -> ExitCode {
        FileHandle.standardError.write(Data("quake pod: \(error)\n".utf8))
        return status.exitCode
    }
}

/// A shutdown asked for by a signal, passed on to the pod once it is listening.
private final class ShutdownRequest: Sendable {
    private let state = Mutex<(requested: Bool, server: PodServer?)>((false, nil))

    /// Asks the pod to shut down, now or as soon as it is attached.
    func request() {
        let server = state.withLock { state in
            state.requested = true
            return state.server
        }
        server?.requestShutdown()
    }

    /// Waits `delay` unless a shutdown is asked for meanwhile; returns whether the pod should
    /// still start. Checks every 20 ms, so a SIGTERM during a start delay ends the pod at once.
    func wait(_ delay: Duration) async -> Bool {
        let deadline = ContinuousClock.now + delay
        while !state.withLock(\.requested) {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { return true }
            try? await Task.sleep(for: min(remaining, .milliseconds(20)))
        }
        return false
    }

    /// Hands over the listening pod; a shutdown already asked for is passed on at once.
    func attach(_ server: PodServer) {
        let requested = state.withLock { state in
            state.server = server
            return state.requested
        }
        if requested { server.requestShutdown() }
    }
}
