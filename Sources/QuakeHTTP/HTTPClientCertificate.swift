import Foundation

/// A client certificate and its private key, for servers that require one (mutual TLS).
///
/// Either two PEM files (`CURLOPT_SSLCERT`, `CURLOPT_SSLKEY`) or PEM text held in memory
/// (`CURLOPT_SSLCERT_BLOB`, `CURLOPT_SSLKEY_BLOB`, copied into each transfer). Descriptions
/// and dumps name the files or count the bytes; they never show the key or its password.
public struct HTTPClientCertificate: Hashable, Sendable {
    /// Where the certificate and key come from.
    enum Source: Hashable, Sendable {
        case files(certificate: String, key: String)
        case pem(certificate: Data, key: Data)
    }

    let source: Source
    /// The password of an encrypted key (`CURLOPT_KEYPASSWD`), or `nil` for an unencrypted one.
    let keyPassword: String?

    /// A certificate and key read from PEM files when a transfer starts.
    public static func files(certificate: String, key: String, keyPassword: String? = nil) -> HTTPClientCertificate {
        HTTPClientCertificate(source: .files(certificate: certificate, key: key), keyPassword: keyPassword)
    }

    /// A certificate and key given as PEM text.
    public static func pem(certificate: Data, key: Data, keyPassword: String? = nil) -> HTTPClientCertificate {
        HTTPClientCertificate(source: .pem(certificate: certificate, key: key), keyPassword: keyPassword)
    }
}

extension HTTPClientCertificate: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The files, or the size of the certificate held in memory; never the key.
    public var description: String {
        let password = keyPassword == nil ? "" : ", key password <redacted>"
        switch source {
        case .files(let certificate, let key):
            return "files \(certificate) and \(key)\(password)"
        case .pem(let certificate, _):
            return "PEM in memory (\(certificate.count)-byte certificate, key <redacted>)\(password)"
        }
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// A mirror showing only ``description``, so that `dump` cannot print the key.
    public var customMirror: Mirror { Mirror(self, children: ["source": description]) }
}
