import Foundation
import Glibc

/// The peers a pod is cut off from (a partition on the lab): the spelling of `quake pod --cut-off`
/// and of `POST /control/cut-off?peers=`, and the form the pod compares its peers in.
extension PodConfiguration {
    /// Parses a comma-separated list of IP addresses, such as `127.1.0.1,127.1.0.2`: each written
    /// as the pod sees its peers (``normalizedAddress(_:)``), sorted, without repeats. Empty text
    /// is an empty list.
    ///
    /// - Throws: ``LabError`` `config` naming the first item that is not an IP address.
    public static func parseCutOff(_ text: String) throws(LabError) -> [String] {
        let whole = text.trimmingCharacters(in: .whitespaces)
        guard !whole.isEmpty else { return [] }
        var peers: Set<String> = []
        for item in whole.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard let address = normalizedAddress(trimmed) else {
                throw LabError(code: .config, message: "give the peers to cut off as IP addresses separated by commas, such as 127.1.0.1,127.1.0.2; '\(trimmed)' is not one")
            }
            peers.insert(address)
        }
        return peers.sorted()
    }

    /// `peers` as ``parseCutOff(_:)`` reads them back.
    public static func cutOffArgument(_ peers: [String]) -> String { peers.joined(separator: ",") }

    /// An IPv4 or IPv6 address as `inet_ntop` writes it (the form SwiftNIO gives a peer's address
    /// in), or nil when `text` is not one.
    static func normalizedAddress(_ text: String) -> String? {
        for family in [AF_INET, AF_INET6] {
            var bytes = [UInt8](repeating: 0, count: 16)
            var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_pton(family, text, &bytes) == 1, inet_ntop(family, bytes, &out, socklen_t(out.count)) != nil else { continue }
            return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return nil
    }
}
