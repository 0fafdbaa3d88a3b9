import QuakeObserve
import Testing

@Suite struct ObserveErrorTests {
    @Test func describesWhereAndWhat() {
        #expect(ObserveError(code: .malformed, message: "bad flags 'XX'", location: "access.log:12").description == "access.log:12: bad flags 'XX'")
        #expect(ObserveError(code: .server, message: "Prometheus answered 503").description == "Prometheus answered 503")
    }
}
