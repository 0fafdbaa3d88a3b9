import CCurl
import Foundation

/// One sending thread of a load: a libcurl multi handle driven with `curl_multi_socket_action`
/// over the worker's own epoll set, and a pool of easy handles, each configured once from the
/// load's request (URL, method, header list, body, limits) and reused for every transfer, so that
/// the loop allocates nothing per request. The only file of the load generator with unsafe
/// pointer code and system calls.
///
/// Not `Sendable`: created, run and freed on its own thread. The loop checks the shared
/// ``LoadControl`` on every turn and is woken through an event descriptor when it is stopped.
/// Linux only (epoll, eventfd).
final class LoadWorker {
    /// What this worker does.
    enum Share {
        /// Sends at the instants of `schedule`, with at most `maxInFlight` transfers at once.
        case open(LoadSchedule, maxInFlight: Int)
        /// Keeps `connections` transfers going back to back.
        case closed(connections: Int)
    }

    /// What curl's socket and close-socket callbacks share with the loop: the epoll set, the multi
    /// handle (to tag sockets beyond the tables), and for each descriptor below `limit` the events
    /// it is registered for in the set and the events curl wants (0: none).
    ///
    /// A connection curl stops watching stays registered: it is idle in curl's cache and is
    /// usually wanted again for the next request, so keeping it saves two `epoll_ctl` calls a
    /// request. An event on it while unwanted (the server closed it) removes it then; closing a
    /// descriptor removes it from the set.
    private struct SocketContext {
        var epoll: Int32
        var multi: UnsafeMutableRawPointer
        var registered: UnsafeMutablePointer<UInt32>
        var wanted: UnsafeMutablePointer<UInt32>
        var limit: Int32
    }

    private let index: Int
    private let request: HTTPRequest
    private let share: Share
    /// The load's start, in monotonic nanoseconds.
    private let origin: Int64
    /// When sending stops, in monotonic nanoseconds.
    private let end: Int64
    /// How long a request may wait for the in-flight cap before it is given up (nanoseconds).
    private let expiry: Int64
    private let control: LoadControl
    private let collector: LoadCollector

    private let multi: UnsafeMutableRawPointer
    private let template: UnsafeMutableRawPointer
    /// The request's URL, parsed once by libcurl; every transfer reads it.
    private let parsedURL: OpaquePointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// The pool: `handles[i]` is transfer slot `i`, created on first use up to `capacity`.
    private let handles: UnsafeMutableBufferPointer<UnsafeMutableRawPointer?>
    /// Slot `i`'s scheduled instant (open loop) or send time (closed loop), monotonic nanoseconds.
    private let intended: UnsafeMutableBufferPointer<Int64>
    /// Idle slots, a stack.
    private let idle: UnsafeMutableBufferPointer<Int32>
    /// Response body bytes, added to by the write callback.
    private let bodyBytes: UnsafeMutablePointer<Int>
    /// When curl next wants `CURL_SOCKET_TIMEOUT` handled (monotonic nanoseconds; -1 for never),
    /// written by its timer callback.
    private let curlDeadline: UnsafeMutablePointer<Int64>
    private let socketContext: UnsafeMutablePointer<SocketContext>
    /// Ready descriptors and their events, filled by each epoll wait.
    private let readyDescriptors: UnsafeMutableBufferPointer<Int32>
    private let readyEvents: UnsafeMutableBufferPointer<UInt32>
    private let capacity: Int
    private var created = 0
    private let epoll: Int32
    /// Written to by ``wake(_:)``, to end a wait when the load is stopped.
    private let waker: Int32

    /// A worker ready to run; `configuration.request` has been validated.
    init(
        index: Int, configuration: LoadConfiguration, share: Share, origin: Int64,
        control: LoadControl, collector: LoadCollector, connectionLimit: Int?
    ) throws {
        let url = configuration.request.url
        guard CurlRuntime.initResult == CURLE_OK else {
            throw HTTPError(code: .other, message: "curl_global_init failed (curl error \(CurlRuntime.initResult.rawValue))", url: url)
        }
        let epoll = quake_load_epoll_create()
        let waker = quake_load_eventfd_create()
        guard epoll >= 0, waker >= 0, let multi = curl_multi_init() else {
            let reason = String(cString: strerror(errno))
            for descriptor in [epoll, waker] where descriptor >= 0 { close(descriptor) }
            throw HTTPError(code: .other, message: "cannot set up a load worker: \(reason)", url: url)
        }
        guard let template = curl_easy_init() else {
            curl_multi_cleanup(multi)
            for descriptor in [epoll, waker] { close(descriptor) }
            throw HTTPError(code: .other, message: "curl_easy_init failed", url: url)
        }
        self.index = index
        self.request = configuration.request
        self.share = share
        self.origin = origin
        self.end = origin + Self.nanoseconds(configuration.duration)
        self.expiry = Self.nanoseconds(configuration.request.timeout ?? .seconds(30))
        self.control = control
        self.collector = collector
        switch share {
        case .open(_, let maxInFlight): capacity = maxInFlight
        case .closed(let connections): capacity = connections
        }
        self.multi = multi
        self.template = template
        parsedURL = curl_url()
        self.epoll = epoll
        self.waker = waker
        handles = .allocate(capacity: capacity)
        handles.initialize(repeating: nil)
        intended = .allocate(capacity: capacity)
        intended.initialize(repeating: 0)
        idle = .allocate(capacity: capacity)
        idle.initialize(repeating: 0)
        bodyBytes = .allocate(capacity: 1)
        bodyBytes.initialize(to: 0)
        curlDeadline = .allocate(capacity: 1)
        curlDeadline.initialize(to: -1)
        var files = rlimit()
        let limit = getrlimit(Self.openFilesResource, &files) == 0 ? Int32(clamping: min(files.rlim_cur, 1 << 20)) : 1024
        let registered = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(limit))
        registered.initialize(repeating: 0, count: Int(limit))
        let wanted = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(limit))
        wanted.initialize(repeating: 0, count: Int(limit))
        socketContext = .allocate(capacity: 1)
        socketContext.initialize(to: SocketContext(epoll: epoll, multi: multi, registered: registered, wanted: wanted, limit: limit))
        readyDescriptors = .allocate(capacity: 256)
        readyDescriptors.initialize(repeating: -1)
        readyEvents = .allocate(capacity: 256)
        readyEvents.initialize(repeating: 0)
        _ = quake_load_epoll_control(epoll, EPOLL_CTL_ADD, waker, EPOLLIN.rawValue)
        try configureMulti(connectionLimit: connectionLimit)
        try configureTemplate()
        control.register(index, wakeDescriptor: waker)
    }

    deinit {
        control.unregister(index)
        for slot in 0..<created {
            guard let handle = handles[slot] else { continue }
            curl_multi_remove_handle(multi, handle)
            curl_easy_cleanup(handle)
        }
        curl_easy_cleanup(template)
        curl_url_cleanup(parsedURL)
        // Cleaning up the multi handle closes its connections, calling the socket callback: the
        // epoll set and the context stay until after.
        curl_multi_cleanup(multi)
        curl_slist_free_all(headerList)
        handles.deallocate()
        intended.deallocate()
        idle.deallocate()
        bodyBytes.deallocate()
        curlDeadline.deallocate()
        socketContext.pointee.registered.deallocate()
        socketContext.pointee.wanted.deallocate()
        socketContext.deallocate()
        readyDescriptors.deallocate()
        readyEvents.deallocate()
        close(waker)
        close(epoll)
    }

    /// Wakes the worker whose wake-up descriptor is `descriptor` from its wait.
    static func wake(_ descriptor: Int32) {
        var one: UInt64 = 1
        _ = write(descriptor, &one, 8)
    }

    /// Now on the monotonic clock the workers share, in nanoseconds.
    @inline(__always)
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) &* 1_000_000_000 &+ Int64(time.tv_nsec)
    }

    #if canImport(Glibc)
    private static let openFilesResource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let openFilesResource = RLIMIT_NOFILE
    #endif

    /// ``LoadTally/lateThreshold`` in nanoseconds.
    private static let lateNanoseconds = nanoseconds(LoadTally.lateThreshold)

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow
            ? Int64.max / 4 : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    // MARK: Running

    /// What a worker did over the whole run.
    struct Outcome {
        var total: LoadTally
        var sentInTime: Int
        var abandoned: Int
        var sendingEnded: Int64
        var lastEnded: Int64
    }

    /// Runs the worker's share of the load to its end (or until stopped), handing every second to
    /// the collector as it closes, and returns the whole run's figures.
    func run() -> Outcome {
        // Waits end at the next send instant to the microsecond, not Linux's default 50 µs later.
        _ = quake_load_set_timer_slack(1000)
        var loop = LoopState(origin: origin, request: request)
        switch share {
        case .open(let schedule, let maxInFlight):
            runOpen(&loop, schedule: schedule, maxInFlight: maxInFlight)
        case .closed(let connections):
            runClosed(&loop, connections: connections)
        }
        loop.window.recordBodyBytes(bodyBytes.pointee - loop.bodyBytesBefore)
        loop.total.recordBodyBytes(bodyBytes.pointee)
        collector.close(second: loop.second, loop.window)
        return Outcome(
            total: loop.total, sentInTime: loop.sentInTime, abandoned: loop.inFlight,
            sendingEnded: loop.sendingEnded, lastEnded: Self.now()
        )
    }

    /// The loop's counters, kept in one local value so that the hot path touches no class storage.
    private struct LoopState {
        var window = LoadTally(precise: false)
        var total = LoadTally(precise: true)
        var second = 0
        var secondEnd: Int64
        var inFlight = 0
        var idleCount = 0
        /// The most transfers in flight at once this second.
        var busiest = 0
        /// Whether transfers were added since curl last ran its timers (they start when it does).
        var added = false
        var bodyBytesBefore = 0
        var sendingEnded: Int64 = 0
        /// Requests sent before the end of the sending period.
        var sentInTime = 0
        var errorKinds: LoadErrorKindCache

        init(origin: Int64, request: HTTPRequest) {
            secondEnd = origin + 1_000_000_000
            errorKinds = LoadErrorKindCache(request: request)
        }
    }

    private func runOpen(_ loop: inout LoopState, schedule initial: LoadSchedule, maxInFlight: Int) {
        var schedule = initial
        var next = schedule.next().map { origin + $0 }
        // Room for every request due during a long stall (the ring grows only as far as used):
        // one that finds it full is given up at once.
        var backlog = LoadBacklog(limit: 1 << 22)
        prepareSlots(&loop, count: min(maxInFlight, 8))
        while !control.isStopped {
            let now = Self.now()
            roll(&loop, now)
            finishTransfers(&loop, now: now, restart: false)
            while let oldest = backlog.oldest, now - oldest > expiry {
                _ = backlog.removeOldest()
                loop.window.recordUnsent()
                loop.total.recordUnsent()
            }
            while loop.inFlight < maxInFlight, let instant = backlog.removeOldest() {
                start(&loop, intended: instant, now: now)
            }
            while let instant = next, instant <= now {
                if loop.inFlight < maxInFlight && backlog.isEmpty {
                    start(&loop, intended: instant, now: now)
                } else if !backlog.append(instant) {
                    loop.window.recordUnsent()
                    loop.total.recordUnsent()
                }
                next = schedule.next().map { origin + $0 }
            }
            if next == nil && loop.sendingEnded == 0 { loop.sendingEnded = end }
            // Transfers can end within that call, when the answer is already there: go round to
            // collect them (on a fresh clock) before waiting.
            if runCurlTimers(&loop, now: now) { continue }
            if next == nil && loop.inFlight == 0 && backlog.isEmpty { break }
            var wakeAt = min(loop.secondEnd, next ?? Int64.max)
            let deadline = curlDeadline.pointee
            if deadline >= 0 { wakeAt = min(wakeAt, deadline) }
            if !backlog.isEmpty && loop.inFlight < maxInFlight { wakeAt = now }
            wait(until: wakeAt, now: now)
        }
        if loop.sendingEnded == 0 { loop.sendingEnded = min(Self.now(), end) }
        let waiting = backlog.removeAll()
        loop.window.recordUnsent(waiting)
        loop.total.recordUnsent(waiting)
        // Whatever the schedule had left is neither sent nor counted: the load was stopped.
    }

    private func runClosed(_ loop: inout LoopState, connections: Int) {
        prepareSlots(&loop, count: connections)
        var now = Self.now()
        if now < origin {
            usleep(UInt32(clamping: (origin - now) / 1000))
            now = Self.now()
        }
        while loop.idleCount > 0 {
            start(&loop, intended: now, now: now)
        }
        while !control.isStopped {
            now = Self.now()
            roll(&loop, now)
            let sending = now < end
            if !sending && loop.sendingEnded == 0 { loop.sendingEnded = end }
            finishTransfers(&loop, now: now, restart: sending)
            // Restarted transfers start when curl runs its timers, and can end within that call
            // when the answer is already there: go round to collect them before waiting.
            if runCurlTimers(&loop, now: now) { continue }
            if loop.inFlight == 0 { break }
            var wakeAt = min(loop.secondEnd, sending ? end : Int64.max)
            let deadline = curlDeadline.pointee
            if deadline >= 0 { wakeAt = min(wakeAt, deadline) }
            wait(until: wakeAt, now: now)
        }
        if loop.sendingEnded == 0 { loop.sendingEnded = min(Self.now(), end) }
    }

    /// Waits for socket events (or a wake-up) until `wakeAt` at the latest, and hands each
    /// socket's events to curl.
    @inline(__always)
    private func wait(until wakeAt: Int64, now: Int64) {
        guard let descriptors = readyDescriptors.baseAddress, let events = readyEvents.baseAddress else { return }
        let count = quake_load_epoll_wait(epoll, descriptors, events, Int32(readyDescriptors.count), max(0, wakeAt - now))
        var running: Int32 = 0
        for i in 0..<max(0, Int(count)) {
            let descriptor = readyDescriptors[i]
            if descriptor == waker {
                var expirations: UInt64 = 0
                _ = read(descriptor, &expirations, 8)
                continue
            }
            let context = socketContext.pointee
            if descriptor < context.limit && context.wanted[Int(descriptor)] == 0 {
                // An idle connection curl no longer watches (the server closed it, most likely):
                // out of the set now; curl finds it dead before reusing it.
                _ = quake_load_epoll_control(epoll, EPOLL_CTL_DEL, descriptor, 0)
                context.registered[Int(descriptor)] = 0
                continue
            }
            let ready = readyEvents[i]
            var action: Int32 = 0
            if ready & EPOLLIN.rawValue != 0 { action |= CURL_CSELECT_IN }
            if ready & EPOLLOUT.rawValue != 0 { action |= CURL_CSELECT_OUT }
            if ready & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { action |= CURL_CSELECT_ERR }
            curl_multi_socket_action(multi, descriptor, action, &running)
        }
    }

    /// Lets curl start the transfers just added and act on its own timeouts when they are due;
    /// returns whether it ran.
    @inline(__always) @discardableResult
    private func runCurlTimers(_ loop: inout LoopState, now: Int64) -> Bool {
        let deadline = curlDeadline.pointee
        guard loop.added || (deadline >= 0 && deadline <= now) else { return false }
        loop.added = false
        var running: Int32 = 0
        curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running)
        // curl reports timeouts in whole milliseconds, rounded down: one not quite due yet leaves
        // the deadline as it was, so look again in a millisecond rather than at once.
        if curlDeadline.pointee == deadline && deadline >= 0 && deadline <= now {
            curlDeadline.pointee = now + 1_000_000
        }
        return true
    }

    /// Closes the current second (and any empty ones after it) once `now` has passed its end.
    @inline(__always)
    private func roll(_ loop: inout LoopState, _ now: Int64) {
        guard now >= loop.secondEnd else { return }
        repeat {
            let bytes = bodyBytes.pointee
            loop.window.recordBodyBytes(bytes - loop.bodyBytesBefore)
            loop.bodyBytesBefore = bytes
            collector.close(second: loop.second, loop.window)
            loop.window = LoadTally(precise: false)
            if case .open = share {
                // libcurl looks through every connection it holds to the host for each transfer,
                // so connections left over from a burst make every later request dearer: keep
                // about half again as many as were busy at once last second, and let it close the rest.
                _ = quake_load_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(16, loop.busiest * 3 / 2))
                loop.busiest = loop.inFlight
            }
            loop.second += 1
            loop.secondEnd += 1_000_000_000
        } while now >= loop.secondEnd
    }

    /// Adds a transfer on an idle slot, creating one if none is idle; the caller keeps within the cap.
    @inline(__always)
    private func start(_ loop: inout LoopState, intended instant: Int64, now: Int64) {
        if loop.idleCount == 0 { prepareSlots(&loop, count: 1) }
        guard loop.idleCount > 0 else {
            loop.window.recordUnsent()
            loop.total.recordUnsent()
            return
        }
        loop.idleCount -= 1
        let slot = Int(idle[loop.idleCount])
        intended[slot] = instant
        guard let handle = handles[slot], curl_multi_add_handle(multi, handle) == CURLM_OK else {
            idle[loop.idleCount] = Int32(slot)
            loop.idleCount += 1
            loop.window.recordUnsent()
            loop.total.recordUnsent()
            return
        }
        loop.inFlight += 1
        loop.busiest = max(loop.busiest, loop.inFlight)
        loop.added = true
        if now < end { loop.sentInTime += 1 }
        let late = now - instant >= Self.lateNanoseconds
        loop.window.recordSent(late: late)
        loop.total.recordSent(late: late)
    }

    /// Records every finished transfer; with `restart`, sends its slot's next request at once,
    /// else returns the slot to the idle stack.
    @inline(__always)
    private func finishTransfers(_ loop: inout LoopState, now: Int64, restart: Bool) {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let result = message.pointee.data.result
            var slotPointer: UnsafeMutableRawPointer?
            _ = quake_load_easy_getinfo_pointer(handle, CURLINFO_PRIVATE, &slotPointer)
            let slot = Int(bitPattern: slotPointer) - 1
            let microseconds = UInt64(max(0, now - intended[slot]) / 1000)
            if result == CURLE_OK {
                var status = 0
                _ = quake_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
                loop.window.recordResponse(status: status, microseconds: microseconds)
                loop.total.recordResponse(status: status, microseconds: microseconds)
            } else {
                let kind = loop.errorKinds.kind(result)
                loop.window.recordFailure(kind, microseconds: microseconds)
                loop.total.recordFailure(kind, microseconds: microseconds)
            }
            curl_multi_remove_handle(multi, handle)
            if restart {
                intended[slot] = now
                if curl_multi_add_handle(multi, handle) == CURLM_OK {
                    loop.added = true
                    loop.sentInTime += 1
                    loop.window.recordSent(late: false)
                    loop.total.recordSent(late: false)
                    continue
                }
            }
            loop.inFlight -= 1
            idle[loop.idleCount] = Int32(slot)
            loop.idleCount += 1
        }
    }

    // MARK: Handles

    /// Creates up to `count` more easy handles (copies of the template) as idle slots, within the capacity.
    private func prepareSlots(_ loop: inout LoopState, count: Int) {
        var made = 0
        while made < count, created < capacity, let handle = curl_easy_duphandle(template) {
            _ = quake_curl_easy_setopt_pointer(handle, CURLOPT_PRIVATE, UnsafeMutableRawPointer(bitPattern: created + 1))
            handles[created] = handle
            idle[loop.idleCount] = Int32(created)
            loop.idleCount += 1
            created += 1
            made += 1
        }
    }

    /// Hands curl's socket and timer needs to this worker: sockets into the epoll set, the next
    /// timeout into ``curlDeadline``.
    private func configureMulti(connectionLimit: Int?) throws {
        try check(quake_load_multi_setopt_socket_callback(multi) { _, socket, what, context, tagged in
            guard let context = context?.assumingMemoryBound(to: SocketContext.self).pointee else { return 0 }
            var events: UInt32 = 0
            if what & CURL_POLL_IN != 0 { events |= EPOLLIN.rawValue }
            if what & CURL_POLL_OUT != 0 { events |= EPOLLOUT.rawValue }
            if socket >= 0 && socket < context.limit {
                let index = Int(socket)
                context.wanted[index] = what == CURL_POLL_REMOVE ? 0 : events
                let current = context.registered[index]
                guard what != CURL_POLL_REMOVE, events != current else { return 0 }
                if quake_load_epoll_control(context.epoll, current == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, socket, events) != 0 {
                    // The set disagrees with the table (a descriptor closed behind curl's back): the other way.
                    _ = quake_load_epoll_control(context.epoll, current == 0 ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, socket, events)
                }
                context.registered[index] = events
                return 0
            }
            // Beyond the tables: added (and tagged) when new, changed when tagged, removed when done.
            if what == CURL_POLL_REMOVE {
                _ = quake_load_epoll_control(context.epoll, EPOLL_CTL_DEL, socket, 0)
            } else if tagged == nil {
                if quake_load_epoll_control(context.epoll, EPOLL_CTL_ADD, socket, events) != 0 && errno == EEXIST {
                    _ = quake_load_epoll_control(context.epoll, EPOLL_CTL_MOD, socket, events)
                }
                curl_multi_assign(context.multi, socket, UnsafeMutableRawPointer(bitPattern: 1))
            } else if quake_load_epoll_control(context.epoll, EPOLL_CTL_MOD, socket, events) != 0 && errno == ENOENT {
                _ = quake_load_epoll_control(context.epoll, EPOLL_CTL_ADD, socket, events)
            }
            return 0
        })
        try check(quake_load_multi_setopt_pointer(multi, CURLMOPT_SOCKETDATA, UnsafeMutableRawPointer(socketContext)))
        try check(quake_load_multi_setopt_timer_callback(multi) { _, milliseconds, deadline in
            deadline?.assumingMemoryBound(to: Int64.self).pointee = milliseconds < 0 ? -1 : LoadWorker.now() &+ Int64(milliseconds) &* 1_000_000
            return 0
        })
        try check(quake_load_multi_setopt_pointer(multi, CURLMOPT_TIMERDATA, UnsafeMutableRawPointer(curlDeadline)))
        if let connectionLimit {
            try check(quake_load_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, connectionLimit))
        }
        try check(quake_load_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, capacity))
    }

    private func check(_ result: CURLMcode) throws {
        guard result == CURLM_OK else {
            throw HTTPError(code: .other, message: "libcurl refused a multi option: \(String(cString: curl_multi_strerror(result)))", url: request.url)
        }
    }

    /// Sets every option the transfers share on the template, which the pool's handles copy
    /// (blobs and the body are copied again into each copy; the header list is shared).
    private func configureTemplate() throws {
        let options = EasyOptions(handle: template, url: request.url)
        try options.set(CURLOPT_NOSIGNAL, 1)
        try options.set(CURLOPT_FOLLOWLOCATION, 0)
        try options.set(CURLOPT_PROTOCOLS_STR, "http,https")
        // The URL parsed once: each transfer copies the parsed handle instead of parsing the text.
        guard let parsedURL, curl_url_set(parsedURL, CURLUPART_URL, request.url, 0) == CURLUE_OK else {
            throw HTTPError(code: .invalidURL, message: "libcurl cannot parse the URL", url: request.url)
        }
        try options.set(CURLOPT_CURLU, pointer: UnsafeMutableRawPointer(parsedURL))
        // One request per connection at a time, whatever request.http2 says: the in-flight cap
        // and the connection count are the same number.
        try options.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        try options.set(CURLOPT_TCP_NODELAY, 1)
        // No proxy: the load goes straight to the URL (and libcurl skips reading the proxy
        // environment variables on every transfer).
        try options.set(CURLOPT_PROXY, "")
        try options.set(CURLOPT_NOPROXY, "*")
        try options.check(quake_load_easy_setopt_closesocket_callback(template) { context, socket in
            if let context = context?.assumingMemoryBound(to: SocketContext.self).pointee, socket >= 0, socket < context.limit {
                context.registered[Int(socket)] = 0
                context.wanted[Int(socket)] = 0
            }
            return close(socket)
        }, CURLOPT_CLOSESOCKETFUNCTION)
        try options.set(CURLOPT_CLOSESOCKETDATA, pointer: UnsafeMutableRawPointer(socketContext))
        if request.method == .head {
            try options.set(CURLOPT_NOBODY, 1)
        } else if request.sendsBody {
            try options.setBody(request.body ?? Data())
        }
        if request.method != .get && request.method != .post && request.method != .head {
            try options.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
        try options.setHeaders(of: request, into: &headerList)
        if let timeout = request.timeout { try options.set(CURLOPT_TIMEOUT_MS, EasyOptions.milliseconds(timeout)) }
        if let connectTimeout = request.connectTimeout {
            try options.set(CURLOPT_CONNECTTIMEOUT_MS, EasyOptions.milliseconds(connectTimeout))
        }
        try options.setTLS(request.tls)
        try options.check(quake_curl_easy_setopt_write_callback(template, CURLOPT_WRITEFUNCTION) { _, size, count, counter in
            let length = size * count
            counter?.assumingMemoryBound(to: Int.self).pointee &+= length
            return length
        }, CURLOPT_WRITEFUNCTION)
        try options.set(CURLOPT_WRITEDATA, pointer: UnsafeMutableRawPointer(bodyBytes))
    }

    // MARK: URL check

    /// Whether libcurl's own parser accepts `url` as an `http` or `https` URL with a host; the
    /// reason when it does not.
    static func urlProblem(_ url: String) -> String? {
        guard let parsed = curl_url() else { return "libcurl could not allocate a URL handle" }
        defer { curl_url_cleanup(parsed) }
        let result = curl_url_set(parsed, CURLUPART_URL, url, 0)
        guard result == CURLUE_OK else {
            return String(cString: curl_url_strerror(result))
        }
        var scheme: UnsafeMutablePointer<CChar>?
        guard curl_url_get(parsed, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK, let scheme else { return "the URL has no scheme" }
        defer { curl_free(scheme) }
        let name = String(cString: scheme).lowercased()
        return name == "http" || name == "https" ? nil : "the scheme \(name) is not http or https"
    }
}
