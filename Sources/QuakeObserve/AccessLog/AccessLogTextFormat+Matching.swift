import Foundation

extension AccessLogTextFormat {
    /// How many candidate field ends one line may try before it is called ambiguous, so a hostile
    /// line full of separators costs bounded time.
    static let matchBudget = 4096

    /// Finds the fields Quake reads in one line (without its newline), writing them to `raw`;
    /// false when the line does not fit the format.
    func match(_ line: UnsafeBufferPointer<UInt8>, into raw: UnsafeMutablePointer<AccessLogRawFields>) -> Bool {
        guard let base = line.baseAddress else { return false }
        return literalBytes.withUnsafeBufferPointer { flatBytes in
            literalBounds.withUnsafeBufferPointer { literalBounds in
                fieldShapes.withUnsafeBufferPointer { fieldList in
                    scanTables.withUnsafeBufferPointer { tables in
                        guard let literals = flatBytes.baseAddress, let bounds = literalBounds.baseAddress, let fields = fieldList.baseAddress, let tables = tables.baseAddress else { return false }
                        var matcher = Matcher(
                            base: base, count: line.count, literals: literals, bounds: bounds, fields: fields,
                            forward: tables, backward: tables + fieldList.count * 256, admitted: tables + 2 * fieldList.count * 256,
                            pivot: pivot, raw: raw
                        )
                        return matcher.right(fieldList.count, end: line.count)
                    }
                }
            }
        }
    }

    /// One line's match: the literal before field `k` is `literals[bounds[k]..<bounds[k + 1]]`.
    /// Every literal between two fields is non-empty (the format compiler checks it).
    private struct Matcher {
        let base: UnsafePointer<UInt8>
        let count: Int
        let literals: UnsafePointer<UInt8>
        let bounds: UnsafePointer<Int>
        let fields: UnsafePointer<(role: AccessLogField.Role, byteClass: AccessLogField.ByteClass)>
        /// See `AccessLogTextFormat.scanTables`.
        let forward: UnsafePointer<UInt8>
        let backward: UnsafePointer<UInt8>
        let admitted: UnsafePointer<UInt8>
        let pivot: Int
        let raw: UnsafeMutablePointer<AccessLogRawFields>
        var budget = AccessLogTextFormat.matchBudget

        /// Whether the `length` literal bytes from `from` are in the line at `at`.
        @inline(__always)
        func literal(from: Int, length: Int, at: Int) -> Bool {
            guard at >= 0, at + length <= count else { return false }
            var i = 0
            while i < length {
                if base[at + i] != literals[from + i] { return false }
                i += 1
            }
            return true
        }

        @inline(__always)
        func slice(_ from: Int, _ to: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base + from, count: to - from) }

        /// Matches literal `k` ending at `end`, then the fields before it from the right (each as
        /// short as it can be), down to the pivot.
        mutating func right(_ k: Int, end: Int) -> Bool {
            let start = end - (bounds[k + 1] - bounds[k])
            guard literal(from: bounds[k], length: bounds[k + 1] - bounds[k], at: start) else { return false }
            if k == pivot + 1 { return left(0, at: 0, limit: start) }
            let role = fields[k - 1].role
            let previous = bounds[k - 1], previousLength = bounds[k] - previous
            let scan = backward + (k - 1) * 256, admits = admitted + (k - 1) * 256
            var s = start
            while true {
                while s > 0, scan[Int(base[s - 1])] != 0 { s -= 1 }
                if literal(from: previous, length: previousLength, at: s - previousLength) {
                    budget -= 1
                    if budget < 0 { return false }
                    raw.pointee.set(role, slice(s, start))
                    if right(k - 1, end: s) { return true }
                }
                guard s > 0, admits[Int(base[s - 1])] != 0 else { return false }
                s -= 1
            }
        }

        /// Matches literal `k` at `at`, then the fields after it from the left (each as short as it
        /// can be), up to the pivot, which takes everything up to `limit`.
        mutating func left(_ k: Int, at: Int, limit: Int) -> Bool {
            let length = bounds[k + 1] - bounds[k]
            let start = at + length
            guard start <= limit, literal(from: bounds[k], length: length, at: at) else { return false }
            let (role, byteClass) = fields[k]
            let scan = forward + k * 256, admits = admitted + k * 256
            if k == pivot {
                if byteClass != .text {
                    for i in start..<limit where admits[Int(base[i])] == 0 { return false }
                }
                raw.pointee.set(role, slice(start, limit))
                return true
            }
            let next = bounds[k + 1], nextLength = bounds[k + 2] - next
            let first = literals[next]
            var e = start
            while true {
                if byteClass == .text {
                    guard e < limit, let found = memchr(base + e, Int32(first), limit - e) else { return false }
                    e = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - base
                } else {
                    while e < limit, scan[Int(base[e])] != 0 { e += 1 }
                }
                if e + nextLength <= limit, literal(from: next, length: nextLength, at: e) {
                    budget -= 1
                    if budget < 0 { return false }
                    raw.pointee.set(role, slice(start, e))
                    if left(k + 1, at: e, limit: limit) { return true }
                }
                guard e < limit, admits[Int(base[e])] != 0 else { return false }
                e += 1
            }
        }
    }
}
