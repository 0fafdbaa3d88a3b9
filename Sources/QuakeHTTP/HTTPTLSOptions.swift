import Foundation

/// How a request checks the server's TLS certificate and proves its own identity; verification
/// is on unless turned off.
///
/// Turning either check off makes the request insecure (``isInsecure``); the client counts such
/// requests (``HTTPClient/Statistics/insecureRequests``) so that a report can say so. Printing
/// the options never shows a client key or its password.
public struct HTTPTLSOptions: Hashable, Sendable {
    /// Whether the certificate chain must lead to a trusted authority (`CURLOPT_SSL_VERIFYPEER`). Default `true`.
    public var verifyPeer: Bool
    /// Whether the certificate must name the host in the URL (`CURLOPT_SSL_VERIFYHOST`). Default `true`.
    public var verifyHost: Bool
    /// A PEM file of trusted authorities to use instead of the system's bundle (`CURLOPT_CAINFO`).
    public var caFile: String?
    /// PEM text of trusted authorities, used instead of the system's bundle (`CURLOPT_CAINFO_BLOB`,
    /// copied into each transfer). With ``caFile`` as well, this one wins.
    public var caPEM: Data?
    /// The certificate and key the client presents when the server asks for one; `nil` presents none.
    public var clientCertificate: HTTPClientCertificate?

    /// Creates TLS options; with no arguments, certificates are fully verified against the system's authorities.
    public init(
        verifyPeer: Bool = true,
        verifyHost: Bool = true,
        caFile: String? = nil,
        caPEM: Data? = nil,
        clientCertificate: HTTPClientCertificate? = nil
    ) {
        self.verifyPeer = verifyPeer
        self.verifyHost = verifyHost
        self.caFile = caFile
        self.caPEM = caPEM
        self.clientCertificate = clientCertificate
    }

    /// The explicit insecure switch: neither the certificate chain nor the host name is checked.
    public static let insecure = HTTPTLSOptions(verifyPeer: false, verifyHost: false)

    /// Whether a check of the server's certificate is off, so that anyone in the path could
    /// have answered; reports record it.
    public var isInsecure: Bool { !verifyPeer || !verifyHost }
}

extension HTTPTLSOptions: CustomStringConvertible {
    /// The checks and the sources of trust, without any key material.
    public var description: String {
        var parts = [isInsecure ? "insecure (verifyPeer: \(verifyPeer), verifyHost: \(verifyHost))" : "verified"]
        if let caFile { parts.append("caFile: \(caFile)") }
        if let caPEM { parts.append("caPEM: \(caPEM.count) bytes") }
        if let clientCertificate { parts.append("client certificate: \(clientCertificate)") }
        return parts.joined(separator: ", ")
    }
}
