import Foundation
import QuakeHTTP

/// The lab's calls to its pods' control paths (`quake pod`'s `/control/…`): the peers a pod is cut
/// off from by a partition, set and confirmed by reading the list back.
struct PodControl: Sendable {
    /// How the pods are reached.
    let client: HTTPClient

    /// Tells `pod` to cut off `peers` (`POST /control/cut-off`), then reads its list back
    /// (`GET /control/cut-off`) and checks that it holds exactly those. A pod process started a
    /// moment ago may not listen yet: refused connections are tried again for up to `patience`.
    ///
    /// - Throws: ``LabError`` `api` naming the pod when a call fails or the list read back differs.
    func setCutOff(_ peers: [String], on pod: LabLayout.Pod, patience: Duration = .seconds(3)) async throws {
        let deadline = ContinuousClock.now + patience
        let response: HTTPResponse
        while true {
            do {
                response = try await client.send(HTTPRequest(method: .post, url: Self.setCutOffURL(pod, peers), timeout: .seconds(5)))
                break
            } catch let error as HTTPError where error.code == .refused && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            } catch {
                throw LabError(code: .api, message: "could not cut it off from \(Self.describe(peers)): \(error)", location: pod.name)
            }
        }
        guard response.status == 200 else {
            throw LabError(code: .api, message: "POST /control/cut-off answered \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))", location: pod.name)
        }
        let shown = try await cutOff(of: pod)
        guard shown == peers.sorted() else {
            throw LabError(code: .api, message: "cut off from \(Self.describe(shown)) after being told \(Self.describe(peers))", location: pod.name)
        }
    }

    /// The peers `pod` says it is cut off from (`GET /control/cut-off`), sorted.
    ///
    /// - Throws: ``LabError`` `api` naming the pod when it does not answer 200.
    func cutOff(of pod: LabLayout.Pod) async throws -> [String] {
        let response: HTTPResponse
        do {
            response = try await client.send(HTTPRequest(url: Self.cutOffURL(pod), timeout: .seconds(5)))
        } catch {
            throw LabError(code: .api, message: "could not read its cut-off: \(error)", location: pod.name)
        }
        guard response.status == 200 else {
            throw LabError(code: .api, message: "GET /control/cut-off answered \(response.status)", location: pod.name)
        }
        return String(decoding: response.body, as: UTF8.self).split(separator: "\n").map(String.init).sorted()
    }

    /// `POST` here cuts `pod` off from `peers` (none when empty).
    static func setCutOffURL(_ pod: LabLayout.Pod, _ peers: [String]) -> String {
        cutOffURL(pod) + "?peers=" + PodConfiguration.cutOffArgument(peers)
    }

    /// `GET` here reads the peers `pod` is cut off from.
    static func cutOffURL(_ pod: LabLayout.Pod) -> String { "http://\(pod.address)/control/cut-off" }

    private static func describe(_ peers: [String]) -> String {
        peers.isEmpty ? "no peer" : peers.joined(separator: ", ")
    }
}
