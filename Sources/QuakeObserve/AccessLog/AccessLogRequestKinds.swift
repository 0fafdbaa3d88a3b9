import QuakeCore

/// The kinds of request a log holds — each distinct (code, flags, cluster, host, service) — with
/// dense ids in order of first sight. An aggregator counts kinds per window instead of counting
/// every figure of every record; there are few kinds however long the log.
struct AccessLogRequestKinds: Sendable {
    /// What a record holds beyond its start time and duration.
    struct Kind: Sendable, Equatable {
        var status: Int
        var flags: ResponseFlags
        var flagText: AccessLogSymbol
        var cluster: AccessLogSymbol
        var host: AccessLogSymbol
        /// The upstream cluster, else the authority.
        var service: AccessLogSymbol

        /// The kind of `record`.
        @inline(__always)
        init(_ record: AccessLogRecord) {
            status = record.status
            flags = record.flags
            flagText = record.flagText
            cluster = record.upstreamCluster
            host = record.upstreamHost
            service = record.upstreamCluster != .none ? record.upstreamCluster : record.authority
        }

        @inline(__always)
        var hash: UInt64 {
            let a = UInt64(UInt32(truncatingIfNeeded: status)) | UInt64(flags.rawValue) << 32
            let b = UInt64(flagText.rawValue) | UInt64(cluster.rawValue) << 32
            let c = UInt64(host.rawValue) | UInt64(service.rawValue) << 32
            let h = (a &* 0x9E37_79B9_7F4A_7C15) ^ (b &* 0xBF58_476D_1CE5_E9B9) ^ (c &* 0x94D0_49BB_1331_11EB)
            return h ^ (h >> 29)
        }
    }

    /// Every kind, by id.
    private(set) var kinds: [Kind] = []
    /// Hash slots holding id + 1 (0 when empty); a power of two, at most half full.
    private var slots = [UInt32](repeating: 0, count: 64)

    /// The id of `kind`, added on first sight.
    @inline(__always)
    mutating func id(_ kind: Kind) -> Int {
        let hash = kind.hash
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = Int(slots[i])
            if id == 0 { break }
            if kinds[id - 1] == kind { return id - 1 }
            i = (i + 1) & mask
        }
        kinds.append(kind)
        slots[i] = UInt32(kinds.count)
        if kinds.count * 2 > slots.count { grow() }
        return kinds.count - 1
    }

    private mutating func grow() {
        var fresh = [UInt32](repeating: 0, count: slots.count * 2)
        let mask = fresh.count - 1
        for (id, kind) in kinds.enumerated() {
            var i = Int(truncatingIfNeeded: kind.hash) & mask
            while fresh[i] != 0 { i = (i + 1) & mask }
            fresh[i] = UInt32(id + 1)
        }
        slots = fresh
    }
}
