import QuakeHTTP
import Testing

@Suite("HTTPHeaders")
struct HTTPHeadersTests {
    @Test("keeps order and repeats; looks names up ignoring case")
    func orderAndLookup() {
        var headers: HTTPHeaders = ["Accept": "text/plain", "X-Tag": "a"]
        headers.append(name: "x-tag", value: "b")

        #expect(headers.map(\.name) == ["Accept", "X-Tag", "x-tag"])
        #expect(headers["X-TAG"] == "a")
        #expect(headers.values(for: "x-Tag") == ["a", "b"])
        #expect(headers["Missing"] == nil)
        #expect(headers.values(for: "Missing").isEmpty)
    }
}
