import Foundation
import QuakeHTTP
import QuakeKube
import Testing

/// kubeconfig exec plugins as cloud providers ship them, played by small shell scripts.
@Suite struct ExecPluginTests {
    /// A plugin running `body` with `/bin/sh -c` (a script written at test time and executed at
    /// once can fail with ETXTBSY while another test forks), given kubectl's arguments after it.
    static func plugin(_ body: String, version: String = "client.authentication.k8s.io/v1", mode: String = "Never") -> ExecPlugin {
        ExecPlugin(apiVersion: version, command: "/bin/sh", arguments: ["-c", body, "plugin", "--cluster", "staging"], environment: [("REGION", "eu-west-1")], installHint: "install it with: apt install cloud-cli", interactiveMode: mode, user: "ops")
    }

    @Test func readsTheTokenAndExpiryAndSeesItsArgumentsAndEnvironment() async throws {
        // The plugin checks what kubectl would give it before it answers.
        let body = """
            [ "$1 $2" = "--cluster staging" ] || { echo "bad args: $*" >&2; exit 3; }
            [ "$REGION" = "eu-west-1" ] || { echo "no REGION" >&2; exit 4; }
            case "$KUBERNETES_EXEC_INFO" in *'"apiVersion":"client.authentication.k8s.io/v1"'*'"interactive":false'*) ;; *) echo "bad exec info: $KUBERNETES_EXEC_INFO" >&2; exit 5 ;; esac
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"k8s-aws-v1.abc","expirationTimestamp":"2030-01-02T03:04:05Z"}}'
            """
        let credential = try await Self.plugin(body).run()
        #expect(credential.token == "k8s-aws-v1.abc")
        #expect(credential.expires == ISO8601DateFormatter().date(from: "2030-01-02T03:04:05Z"))
        #expect(credential.certificate == nil)
    }

    @Test func readsAClientCertificate() async throws {
        let credential = try await Self.plugin(#"echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"clientCertificateData":"CERT","clientKeyData":"KEY"}}'"#, version: "client.authentication.k8s.io/v1beta1").run()
        #expect(credential.certificate == .pem(certificate: Data("CERT".utf8), key: Data("KEY".utf8)) && credential.token == nil && credential.expires == nil)
    }

    @Test(arguments: [
        ("echo 'token expired, run login' >&2; exit 1", "exited 1: token expired, run login"),
        (#"echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}'"#, "answered apiVersion client.authentication.k8s.io/v1beta1"),
        ("echo 'not json'", "printed no ExecCredential JSON"),
        (#"echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}'"#, "neither a token nor a client certificate"),
        (#"echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"tomorrow"}}'"#, "not RFC 3339"),
    ])
    func aFailingPluginIsNamedWithWhatItSaid(body: String, expected: String) async throws {
        let error = await #expect(throws: KubeError.self) { try await Self.plugin(body).run() }
        #expect(error?.code == .credentials && error?.message.contains("exec plugin /bin/sh of user 'ops'") == true && error?.message.contains(expected) == true, "\(String(describing: error))")
    }

    @Test func aMissingPluginGivesItsInstallHintAndAnInteractiveOneIsRefused() async throws {
        let missing = await #expect(throws: KubeError.self) {
            try await ExecPlugin(apiVersion: "client.authentication.k8s.io/v1", command: "no-such-plugin-quake", installHint: "install it with: apt install cloud-cli", interactiveMode: "Never", user: "ops").run()
        }
        #expect(missing?.message.contains("no-such-plugin-quake is not installed (not found on PATH). install it with: apt install cloud-cli") == true, "\(String(describing: missing))")
        let interactive = await #expect(throws: KubeError.self) { try await Self.plugin("true", mode: "Always").run() }
        #expect(interactive?.message.contains("interactiveMode: Always") == true)
    }

    @Test(.timeLimit(.minutes(1)))
    func aPluginThatHangsIsStoppedAtItsTimeout() async throws {
        let start = ContinuousClock.now
        let error = await #expect(throws: KubeError.self) { try await Self.plugin("sleep 30").run(timeout: .seconds(1)) }
        #expect(error?.message.contains("did not finish within 1 s") == true, "\(String(describing: error))")
        #expect(start.duration(to: .now) < .seconds(20), "stopped at its 1 s timeout, not after the 30 s sleep")
    }
}
