import Foundation
import QuakeCore
import QuakeHTTP
@testable import QuakeLab
import Testing

/// A pod cut off from some peers (a partition on the lab): their requests get no answer, as from a
/// hung process, until the cut-off is lifted; everyone else is served.
@Suite(.timeLimit(.minutes(2))) struct PodCutOffTests {
    private let client = HTTPClient()

    @Test func theListIsParsedNormalisedAndWrittenBack() throws {
        #expect(try PodConfiguration.parseCutOff("127.1.0.2, 127.1.0.1,127.1.0.2") == ["127.1.0.1", "127.1.0.2"])
        #expect(try PodConfiguration.parseCutOff("0:0:0:0:0:0:0:1") == ["::1"])
        #expect(try PodConfiguration.parseCutOff("").isEmpty && PodConfiguration.parseCutOff("  ").isEmpty)
        for bad in ["localhost", "127.1.0", "127.1.0.1,", "127.1.0.1;127.1.0.2", "300.1.1.1"] {
            #expect(throws: LabError.self, "\(bad)") { try PodConfiguration.parseCutOff(bad) }
        }
        let configuration = PodConfiguration(service: "svc1", pod: "svc1-0", port: 18080, cutOff: ["127.1.0.1", "127.1.0.3"])
        let arguments = configuration.arguments
        let value = try #require(arguments.firstIndex(of: "--cut-off").map { arguments[$0 + 1] })
        #expect(value == "127.1.0.1,127.1.0.3")
        #expect(try PodConfiguration.parseCutOff(value) == configuration.cutOff)
        #expect(!PodConfiguration(service: "svc1", pod: "svc1-0").arguments.contains("--cut-off"), "no flag when nobody is cut off")
        #expect(throws: LabError.self) { try PodConfiguration(service: "svc1", pod: "svc1-0", cutOff: ["localhost"]).validate() }
    }

    @Test func holdsACutOffPeersRequestsUntilTheCutOffIsLifted() async throws {
        try await PodServer.withServer(PodConfiguration(service: "svc1", pod: "svc1-0", cutOff: ["127.1.0.7"])) { pod in
            // The Envoy at 127.1.0.7 gets no answer, on a new connection as on one it keeps.
            let cut = try PeerConnection(port: pod.port, from: "127.1.0.7")
            try cut.send("/first")
            #expect(try await cut.response(within: .milliseconds(500)) == nil, "a cut-off peer's request is held")
            // Meanwhile everyone else is served: Quake and Prometheus from 127.0.0.1, another Envoy.
            #expect(try await client.get(pod.url("/")).status == 200)
            let other = try PeerConnection(port: pod.port, from: "127.1.0.8")
            try other.send("/other")
            #expect(try await other.response(within: .seconds(5))?.status == 200)

            // Lifted: the held request is answered on its connection, and the next one too.
            let lifted = try await client.post(pod.url("/control/cut-off?peers="), body: Data())
            #expect(lifted.status == 200 && lifted.body.isEmpty)
            let held = try #require(try await cut.response(within: .seconds(5)), "the held request is served once the cut-off is lifted")
            #expect(held.status == 200 && held.body == "svc1-0\n")
            try cut.send("/second")
            #expect(try await cut.response(within: .seconds(5))?.status == 200)

            // Cut off again at run time: the connection it keeps hangs once more.
            #expect(try await client.post(pod.url("/control/cut-off?peers=127.1.0.7"), body: Data()).status == 200)
            try cut.send("/third")
            #expect(try await cut.response(within: .milliseconds(500)) == nil)
            #expect(try await client.get(pod.url("/")).status == 200)
        }
    }

    @Test func theControlPathSetsAndReadsTheList() async throws {
        try await PodServer.withServer(PodConfiguration(service: "svc1", pod: "svc1-0", cutOff: ["127.1.0.2"])) { pod in
            #expect(String(decoding: try await client.get(pod.url("/control/cut-off")).body, as: UTF8.self) == "127.1.0.2\n")
            let set = try await client.post(pod.url("/control/cut-off?peers=127.1.0.4,127.1.0.3"), body: Data())
            #expect(set.status == 200 && String(decoding: set.body, as: UTF8.self) == "127.1.0.3\n127.1.0.4\n")
            #expect(String(decoding: try await client.get(pod.url("/control/cut-off")).body, as: UTF8.self) == "127.1.0.3\n127.1.0.4\n")
            #expect(try await client.post(pod.url("/control/reset"), body: Data()).status == 200)
            #expect(String(decoding: try await client.get(pod.url("/control/cut-off")).body, as: UTF8.self) == "127.1.0.3\n127.1.0.4\n", "a reset leaves the partition alone")
            #expect(try await client.post(pod.url("/control/cut-off?peers=somewhere"), body: Data()).status == 400)
            #expect(try await client.post(pod.url("/control/cut-off"), body: Data()).status == 400)
            #expect(String(decoding: try await client.get(pod.url("/control/cut-off")).body, as: UTF8.self) == "127.1.0.3\n127.1.0.4\n", "a refused change changes nothing")
            // The control paths answer a cut-off peer, so a cut-off can always be lifted.
            let cut = try PeerConnection(port: pod.port, from: "127.1.0.3")
            try cut.send("/control/cut-off")
            #expect(try await cut.response(within: .seconds(5))?.body == "127.1.0.3\n127.1.0.4\n")
        }
    }

    @Test func theLabsCallConfirmsTheListAndNamesAPodThatDoesNotAnswer() async throws {
        try await PodServer.withServer(PodConfiguration(service: "svc1", pod: "svc1-0")) { pod in
            let lab = LabLayout.Pod(name: "svc1-0", service: "svc1", cluster: "c1", node: "c1-a-1", locality: Locality(region: "r1", cluster: "c1", zone: "a"), port: pod.port)
            let control = PodControl(client: client)
            try await control.setCutOff(["127.1.0.2", "127.1.0.1"], on: lab)
            #expect(try await control.cutOff(of: lab) == ["127.1.0.1", "127.1.0.2"])
            try await control.setCutOff([], on: lab)
            #expect(try await control.cutOff(of: lab).isEmpty)
        }
        let gone = LabLayout.Pod(name: "svc1-9", service: "svc1", cluster: "c1", node: "c1-a-1", locality: Locality(region: "r1", cluster: "c1", zone: "a"), port: try ProcessTestSupport.freePort())
        let start = ContinuousClock.now
        let error = try #require(await #expect(throws: LabError.self) { try await PodControl(client: client).setCutOff(["127.1.0.1"], on: gone, patience: .milliseconds(300)) })
        #expect(error.code == .api && error.location == "svc1-9" && error.message.contains("could not cut it off from 127.1.0.1"), "\(error)")
        #expect(ContinuousClock.now - start >= .milliseconds(300), "a pod that does not listen yet is given its patience")
    }
}
