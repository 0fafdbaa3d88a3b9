extension HTTPClient {
    /// What a client's engine is doing and has done, for leak checks, progress and reports.
    public struct Statistics: Hashable, Sendable {
        /// libcurl easy handles alive (one per transfer under way); 0 when the engine is idle.
        public var liveEasyHandles: Int
        /// Transfers handed to libcurl and not finished (some may wait for a connection).
        public var activeTransfers: Int
        /// Transfers waiting for one of ``Configuration/maxActiveTransfers`` slots.
        public var queuedTransfers: Int
        /// Requests the engine took that ended, with a response, an error or a cancellation; counted
        /// before the sender gets the outcome. A request cancelled before it reached the engine
        /// is not a transfer and is not counted.
        public var finishedTransfers: Int
        /// Requests sent with TLS verification off (``HTTPTLSOptions/isInsecure``), for reports.
        public var insecureRequests: Int
        /// Whether the engine's thread is still running.
        public var isRunning: Bool

        /// Creates statistics from their counts.
        public init(liveEasyHandles: Int, activeTransfers: Int, queuedTransfers: Int, finishedTransfers: Int, insecureRequests: Int, isRunning: Bool) {
            self.liveEasyHandles = liveEasyHandles
            self.activeTransfers = activeTransfers
            self.queuedTransfers = queuedTransfers
            self.finishedTransfers = finishedTransfers
            self.insecureRequests = insecureRequests
            self.isRunning = isRunning
        }
    }
}
