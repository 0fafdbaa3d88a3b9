/// How a request checks the server's TLS certificate; verification is on unless turned off.
public struct HTTPTLSOptions: Hashable, Sendable {
    /// Whether the certificate chain must lead to a trusted authority (`CURLOPT_SSL_VERIFYPEER`). Default `true`.
    public var verifyPeer: Bool
    /// Whether the certificate must name the host in the URL (`CURLOPT_SSL_VERIFYHOST`). Default `true`.
    public var verifyHost: Bool
    /// A PEM file of trusted authorities to use instead of the system's bundle (`CURLOPT_CAINFO`).
    public var caFile: String?

    /// Creates TLS options; with no arguments, certificates are fully verified against the system's authorities.
    public init(verifyPeer: Bool = true, verifyHost: Bool = true, caFile: String? = nil) {
        self.verifyPeer = verifyPeer
        self.verifyHost = verifyHost
        self.caFile = caFile
    }
}
