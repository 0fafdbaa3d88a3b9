import NIOCore
import QuakeCore
import QuakeHTTP
import Synchronization

/// A request's downstream calls, queued by a connection and answered through its promise.
///
/// The promise is completed exactly once: by ``complete(_:)``, or, if the job is dropped unserved
/// (the queue ended or its pump was cancelled), with a failure when the job is released, so a
/// request never waits for ever and NIO never sees a leaked promise.
final class PodDownstreamJob: Sendable {
    private let promise: EventLoopPromise<PodDownstreamOutcome>
    private let completed = Mutex(false)
    /// The first called service, named in the failure of a dropped job.
    private let firstService: String

    init(promise: EventLoopPromise<PodDownstreamOutcome>, firstService: String) {
        self.promise = promise
        self.firstService = firstService
    }

    /// Completes the promise with `outcome`, unless it was completed before.
    func complete(_ outcome: PodDownstreamOutcome) {
        let first = completed.withLock { done in
            defer { done = true }
            return !done
        }
        if first { promise.succeed(outcome) }
    }

    deinit {
        complete(.failed(service: firstService, detail: "not called: the pod is shutting down"))
    }
}

/// How a request's downstream calls went.
enum PodDownstreamOutcome: Sendable, Equatable {
    /// Every call answered with a success.
    case succeeded
    /// The call to `service` failed: `detail` says how (its status, or why no response came).
    case failed(service: String, detail: String)
}

/// Makes a pod's downstream calls through QuakeHTTP (libcurl), in order, stopping at the first
/// failure, the way the model cascades failures (Simulation+Requests.swift): a call fails when it
/// gets no response or a status that is not a success (5xx or 429).
///
/// ``run(_:)`` is the pod's call pump: it serves queued jobs in child tasks of the pod's task
/// group, so every call belongs to the pod's structured lifetime.
struct PodDownstreamCaller: Sendable {
    let state: PodState
    let client: HTTPClient

    /// Serves every job queued on `state` until the queue is finished and its jobs are done.
    /// Cancellation fails the calls still running (their requests answer with the error status).
    func run() async {
        await withDiscardingTaskGroup { group in
            for await job in state.queuedJobs {
                group.addTask { job.complete(await callAll()) }
            }
        }
    }

    /// Calls every downstream service in order; the first failure ends the sequence.
    func callAll() async -> PodDownstreamOutcome {
        let configuration = state.configuration
        for call in configuration.calls {
            let request = HTTPRequest(
                method: .get, url: call.url, headers: ["Host": call.service],
                timeout: configuration.downstreamTimeout, connectTimeout: configuration.downstreamTimeout
            )
            do {
                let response = try await client.send(request)
                guard TrafficSeries.isSuccess(response.status) else {
                    let detail = "answered \(response.status)"
                    state.downstreamCalled(service: call.service, code: response.status, failure: detail)
                    return .failed(service: call.service, detail: detail)
                }
                state.downstreamCalled(service: call.service, code: response.status)
            } catch {
                let reason = (error as? HTTPError).map { "\($0.code): \($0.message)" } ?? "\(error)"
                let detail = "no response (\(reason))"
                state.downstreamCalled(service: call.service, code: 0, failure: detail)
                return .failed(service: call.service, detail: detail)
            }
        }
        return .succeeded
    }
}
