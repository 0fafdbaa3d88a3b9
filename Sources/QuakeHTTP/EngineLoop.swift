/// The engine's thread: drains ``HTTPEngine``'s queue into one ``MultiHandle``, drives it with
/// `curl_multi_perform` and `curl_multi_poll`, and completes each submission when its transfer
/// ends, is cancelled, or the engine stops.
///
/// Not `Sendable`: it exists only on that thread, with everything it owns.
final class EngineLoop {
    /// The longest sleep in `curl_multi_poll` when nothing is due: a safety net only, since
    /// libcurl's own timeouts and the engine's wakeups end a poll sooner.
    private static let idlePollMilliseconds: Int32 = 1000

    /// How long after its timeout the engine itself ends a transfer, so that libcurl, which
    /// measures the same timeout for a transfer it runs, reports it first with its own message.
    private static let deadlineGrace = Duration.milliseconds(25)

    private let engine: HTTPEngine
    private let multi: MultiHandle
    private let maxActive: Int
    /// The transfers libcurl runs, by submission.
    private var active: [ObjectIdentifier: (submission: TransferSubmission, easy: EasyHandle)] = [:]
    /// Submissions waiting for a slot, oldest first from `backlogHead`.
    private var backlog: [TransferSubmission] = []
    private var backlogHead = 0
    /// The deadlines of submissions with a timeout.
    private var deadlines = DeadlineHeap()
    private var incoming: [TransferSubmission] = []
    private var cancellations: [TransferSubmission] = []

    private init(engine: HTTPEngine, multi: MultiHandle) {
        self.engine = engine
        self.multi = multi
        self.maxActive = engine.configuration.maxActiveTransfers
    }

    /// The body of the engine's thread: returns once the engine has stopped and every handle is freed.
    static func run(engine: HTTPEngine) {
        let multi: MultiHandle
        do {
            multi = try MultiHandle(configuration: engine.configuration)
        } catch {
            let failure = (error as? HTTPError) ?? HTTPError(code: .other, message: "\(error)", url: "")
            for submission in engine.close(failure: failure) {
                submission.complete(.failure(HTTPError(code: failure.code, message: failure.message, url: submission.request.url)))
            }
            engine.exited()
            return
        }
        engine.publish(multi.wakeup)
        let loop = EngineLoop(engine: engine, multi: multi)
        loop.drive()
        loop.stop()
        engine.exited()
    }

    /// Runs transfers until the engine is stopping.
    private func drive() {
        while true {
            if engine.take(submissions: &incoming, cancellations: &cancellations) { return }
            for submission in incoming { accept(submission) }
            incoming.removeAll(keepingCapacity: true)
            for submission in cancellations { cancel(submission) }
            cancellations.removeAll(keepingCapacity: true)
            activateFromBacklog()

            do {
                try multi.perform()
            } catch {
                failActive(error)
            }
            var finished = false
            multi.forEachFinished { tag, result in
                finished = true
                finish(tag, result)
            }
            let now = ContinuousClock.now
            let expired = expire(now: now)
            if (finished || expired) && activateFromBacklog() > 0 { continue }
            engine.counters.setLoad(active: active.count, queued: backlog.count - backlogHead)

            if engine.prepareToSleep() {
                do {
                    try multi.poll(timeoutMilliseconds: pollTimeout(now: now))
                } catch {
                    failActive(error)
                }
            }
        }
    }

    // MARK: Submissions

    private func accept(_ submission: TransferSubmission) {
        if submission.isCancelledOrFinished {
            complete(submission, .failure(CancellationError()))
            return
        }
        if let timeout = submission.request.timeout {
            deadlines.insert(submission, deadline: submission.submitted + timeout + Self.deadlineGrace)
        }
        if active.count < maxActive && backlogHead == backlog.count {
            activate(submission, queued: false)
        } else {
            backlog.append(submission)
        }
    }

    /// Starts queued submissions while there are free slots; returns how many it started.
    @discardableResult
    private func activateFromBacklog() -> Int {
        var started = 0
        while active.count < maxActive && backlogHead < backlog.count {
            let submission = backlog[backlogHead]
            backlogHead += 1
            if submission.isCancelledOrFinished {
                complete(submission, .failure(CancellationError()))
            } else {
                activate(submission, queued: true)
                started += 1
            }
        }
        if backlogHead == backlog.count {
            backlog.removeAll(keepingCapacity: backlog.capacity <= 4096)
            backlogHead = 0
        } else if backlogHead >= 4096 && backlogHead * 2 >= backlog.count {
            backlog.removeFirst(backlogHead)
            backlogHead = 0
        }
        return started
    }

    /// Hands `submission` to libcurl; a queued one has its timeout shortened by the time it waited.
    private func activate(_ submission: TransferSubmission, queued: Bool) {
        let request = submission.request
        var timeout = request.timeout
        if queued, let limit = timeout {
            let waited = ContinuousClock.now - submission.submitted
            guard waited < limit else {
                let message = "no transfer slot came free within the \(limit) timeout (\(maxActive) transfers at once)"
                complete(submission, .failure(HTTPError(code: .timeout, message: message, url: request.url)))
                return
            }
            timeout = limit - waited
        }
        do {
            let easy = try EasyHandle(request: request, tag: submission.id, timeout: timeout, counters: engine.counters)
            try multi.add(easy)
            active[submission.id] = (submission, easy)
        } catch {
            complete(submission, .failure(error))
        }
    }

    /// Removes a cancelled submission's transfer, closing its connection, and completes it with `CancellationError`.
    private func cancel(_ submission: TransferSubmission) {
        if let easy = active.removeValue(forKey: submission.id)?.easy {
            multi.remove(easy)
        }
        // A queued submission is completed now and skipped when its turn comes.
        complete(submission, .failure(CancellationError()))
    }

    private func finish(_ tag: ObjectIdentifier, _ result: Result<HTTPResponse, any Error>) {
        guard let submission = removeActive(tag) else { return }
        complete(submission, result)
    }

    /// Drops an active entry and returns its submission; the easy handle is freed by the time
    /// this returns, so a sender that resumes sees it gone.
    private func removeActive(_ tag: ObjectIdentifier) -> TransferSubmission? {
        guard let entry = active.removeValue(forKey: tag) else { return nil }
        return entry.submission
    }

    /// Ends the transfers whose timeout passed while they waited for a connection or a slot;
    /// returns whether any ended.
    private func expire(now: ContinuousClock.Instant) -> Bool {
        guard let earliest = deadlines.earliest, earliest <= now else { return false }
        var ended = false
        for submission in deadlines.removeExpired(now: now) where !submission.isCancelledOrFinished {
            if let easy = active.removeValue(forKey: submission.id)?.easy {
                multi.remove(easy)
            }
            let request = submission.request
            let message = "no response within the \(request.timeout ?? .zero) timeout: the request waited for one of "
                + "\(engine.configuration.maxConnections) connections or \(maxActive) transfer slots"
            complete(submission, .failure(HTTPError(code: .timeout, message: message, url: request.url)))
            ended = true
        }
        return ended
    }

    /// How long the next poll may sleep: until the earliest deadline, at most the idle limit.
    private func pollTimeout(now: ContinuousClock.Instant) -> Int32 {
        guard let earliest = deadlines.earliest else { return Self.idlePollMilliseconds }
        let milliseconds = ((earliest - now) / .milliseconds(1)).rounded(.up)
        return Int32(max(0, min(Double(Self.idlePollMilliseconds), milliseconds)))
    }

    private func failActive(_ error: any Error) {
        let failed = active.values.map(\.submission)
        for entry in active.values { multi.remove(entry.easy) }
        active.removeAll()
        for submission in failed { complete(submission, .failure(error)) }
    }

    /// Delivers `result`, counting the transfer finished first, so that a sender that reads the
    /// statistics once it has its outcome finds its own transfer counted.
    private func complete(_ submission: TransferSubmission, _ result: Result<HTTPResponse, any Error>) {
        let counters = engine.counters
        submission.complete(result) { counters.transferFinished() }
    }

    // MARK: Shutdown

    /// Ends every transfer with ``HTTPError/Code/cancelled``, then closes the multi handle and its connections.
    private func stop() {
        var pending = active.values.map(\.submission)
        for entry in active.values { multi.remove(entry.easy) }
        active.removeAll()
        pending += backlog[backlogHead...]
        backlog.removeAll()
        backlogHead = 0
        pending += incoming
        incoming.removeAll()
        pending += engine.close(failure: nil)
        multi.close()
        engine.counters.setLoad(active: 0, queued: 0)
        for submission in pending {
            if submission.isCancelledOrFinished {
                complete(submission, .failure(CancellationError()))
            } else {
                let message = "the HTTP client shut down before the transfer finished"
                complete(submission, .failure(HTTPError(code: .cancelled, message: message, url: submission.request.url)))
            }
        }
    }
}
