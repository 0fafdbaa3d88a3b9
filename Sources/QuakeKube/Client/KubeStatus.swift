import Foundation

/// The API server's `Status` object, which every error answer carries
/// (`{"kind":"Status","status":"Failure","message":…,"reason":…,"code":…}`), turned into a
/// ``KubeError``.
enum KubeStatus {
    static func error(status: Int, body: Data, location: String) -> KubeError {
        let json = try? KubeJSON.parse(body, what: "status")
        let message = json?["message"]?.string.flatMap { $0.isEmpty ? nil : $0 }
            ?? String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = json?["reason"]?.string
        let code: KubeError.Code
        switch status {
        case 401: code = .unauthorized
        case 403: code = .forbidden
        case 404: code = .notFound
        case 409: code = .conflict
        case 410: code = .gone
        case 429: code = .tooManyRequests
        default: code = .api
        }
        return KubeError(code: code, message: "\(status)\(reason.map { " \($0)" } ?? ""): \(message.isEmpty ? "no message" : message)", location: location)
    }
}
