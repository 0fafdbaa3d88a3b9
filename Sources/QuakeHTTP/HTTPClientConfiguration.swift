extension HTTPClient {
    /// The limits of one client's engine: its connection pool and how many transfers it runs at once.
    public struct Configuration: Hashable, Sendable {
        /// The most connections open at once, idle ones included (`CURLMOPT_MAX_TOTAL_CONNECTIONS`
        /// and `CURLMOPT_MAXCONNECTS`); a transfer that needs one more waits inside libcurl
        /// until one is free, and the engine ends it if its timeout passes meanwhile. 0 means no
        /// limit. Default 256.
        public var maxConnections: Int
        /// The most connections to one host and port at once (`CURLMOPT_MAX_HOST_CONNECTIONS`);
        /// 0, the default, means no limit but ``maxConnections``.
        public var maxConnectionsPerHost: Int
        /// The most transfers handed to libcurl at once; later ones wait in the engine's queue
        /// without an easy handle (a few hundred bytes each instead of tens of kilobytes), and
        /// their timeout counts the wait. Default 1024.
        public var maxActiveTransfers: Int
        /// Whether HTTP/2 requests to one host share a connection (`CURLPIPE_MULTIPLEX`). Default `true`.
        public var multiplexing: Bool

        /// Creates a configuration; the defaults suit a tool making up to a few thousand requests a second.
        public init(maxConnections: Int = 256, maxConnectionsPerHost: Int = 0, maxActiveTransfers: Int = 1024, multiplexing: Bool = true) {
            self.maxConnections = maxConnections
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxActiveTransfers = maxActiveTransfers
            self.multiplexing = multiplexing
        }
    }
}
