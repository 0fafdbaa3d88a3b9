/// An HTTP request method such as `GET` or `POST`; any token is allowed, the common ones have names.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method token exactly as it is sent on the request line.
    public let rawValue: String

    /// Creates a method from its token, for example `"OPTIONS"`.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The method token, as sent.
    public var description: String { rawValue }

    /// `GET`: fetch a resource.
    public static let get = HTTPMethod(rawValue: "GET")
    /// `HEAD`: fetch only the status and headers; the response body is empty.
    public static let head = HTTPMethod(rawValue: "HEAD")
    /// `POST`: send a body to a resource.
    public static let post = HTTPMethod(rawValue: "POST")
    /// `PUT`: replace a resource with the body.
    public static let put = HTTPMethod(rawValue: "PUT")
    /// `PATCH`: change part of a resource.
    public static let patch = HTTPMethod(rawValue: "PATCH")
    /// `DELETE`: remove a resource.
    public static let delete = HTTPMethod(rawValue: "DELETE")
}
