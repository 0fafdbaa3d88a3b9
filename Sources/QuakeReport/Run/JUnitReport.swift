import Foundation

/// `junit.xml`: one test suite per plan, one test case per SLO (a failure's message is its reason;
/// an inconclusive SLO is skipped with its reason; an aborted run adds an erroring `run` case; a
/// run compared with its plan's recent runs adds a case that a regression fails),
/// in the common JUnit layout CI systems read.
public enum JUnitReport {
    /// The XML for one or more runs.
    public static func render(_ records: [RunRecord]) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"quake\" \(Totals(records).attributes)>\n"
        for r in records { out += testsuite(r) }
        return out + "</testsuites>\n"
    }

    /// The counts of a `<testsuites>` element over runs.
    struct Totals {
        var tests = 0, failures = 0, errors = 0, skipped = 0
        var time = 0.0

        init(_ records: [RunRecord]) {
            tests = records.reduce(0) { $0 + $1.slos.count + ($1.abort == nil ? 0 : 1) + ($1.regressions == nil ? 0 : 1) }
            failures = records.reduce(0) { $0 + $1.slos.filter { $0.verdict == "fail" }.count + (regressed($1) ? 1 : 0) }
            skipped = records.reduce(0) { $0 + $1.slos.filter { $0.verdict == "inconclusive" }.count }
            errors = records.filter { $0.abort != nil || $0.verdict == "error" }.count
            time = records.reduce(0) { $0 + $1.wallSeconds }
        }

        /// `tests="…" failures="…" errors="…" skipped="…" time="…"`.
        var attributes: String {
            "tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(seconds(time))\""
        }
    }

    /// One run's `<testsuite>` element, indented to sit in `<testsuites>`.
    static func testsuite(_ r: RunRecord) -> String {
        var out = ""
        let f = r.slos.filter { $0.verdict == "fail" }.count + (regressed(r) ? 1 : 0), s = r.slos.filter { $0.verdict == "inconclusive" }.count
        let e = r.abort == nil ? 0 : 1
        out += "  <testsuite name=\"\(escape(r.plan))\" tests=\"\(r.slos.count + e + (r.regressions == nil ? 0 : 1))\" failures=\"\(f)\" errors=\"\(e)\" skipped=\"\(s)\" time=\"\(seconds(r.wallSeconds))\" timestamp=\"\(escape(timestamp(r.startedAt)))\">\n"
        out += "    <properties>\n"
        var properties = [("target", r.target), ("seed", String(r.seed)), ("verdict", r.verdict)]
        if let score = r.score { properties.append(("score", String(format: "%.1f", score))) }
        for (name, value) in properties { out += "      <property name=\"\(name)\" value=\"\(escape(value))\"/>\n" }
        out += "    </properties>\n"
        for slo in r.slos {
            let open = "    <testcase classname=\"\(escape(r.plan))\" name=\"\(escape(slo.name))\" time=\"0\""
            switch slo.verdict {
            case "fail":
                out += open + ">\n      <failure message=\"\(escape(slo.reason))\" type=\"SLO\">\(escape("\(slo.sli) \(slo.objective): \(slo.reason)"))</failure>\n    </testcase>\n"
            case "inconclusive":
                out += open + ">\n      <skipped message=\"\(escape("inconclusive: " + slo.reason))\"/>\n    </testcase>\n"
            default:
                out += open + "/>\n"
            }
        }
        if let abort = r.abort {
            out += "    <testcase classname=\"\(escape(r.plan))\" name=\"run\" time=\"\(seconds(r.wallSeconds))\">\n"
            out += "      <error message=\"\(escape("aborted at \(abort.at) s by \(abort)"))\" type=\"\(abort.cause == RunRecord.Abort.killSwitch ? "KillSwitch" : "StopCondition")\"/>\n    </testcase>\n"
        }
        if let regressions = r.regressions {
            out += regressionCase(r.plan, regressions)
        }
        out += "  </testsuite>\n"
        return out
    }

    /// Whether the comparison with recent runs found a regression (flakiness alone is none).
    private static func regressed(_ r: RunRecord) -> Bool {
        r.regressions?.contains { $0.regression } == true
    }

    /// The test case of the comparison with the plan's recent runs: failed by a regression, with
    /// flakiness in its output.
    private static func regressionCase(_ plan: String, _ regressions: [RunRecord.Regression]) -> String {
        let regressed = regressions.filter(\.regression), flaky = regressions.filter { !$0.regression }
        var out = "    <testcase classname=\"\(escape(plan))\" name=\"no regression against recent runs\" time=\"0\""
        if regressed.isEmpty && flaky.isEmpty { return out + "/>\n" }
        out += ">\n"
        if !regressed.isEmpty {
            let text = regressed.map { "\($0.kind): \($0.detail) (judged against \($0.against.joined(separator: ", ")))" }.joined(separator: "\n")
            out += "      <failure message=\"\(escape(regressed.map { "\($0.kind): \($0.detail)" }.joined(separator: "; ")))\" type=\"Regression\">\(escape(text))</failure>\n"
        }
        if !flaky.isEmpty {
            out += "      <system-out>\(escape(flaky.map { "flaky: \($0.detail) (judged against \($0.against.joined(separator: ", ")))" }.joined(separator: "\n")))</system-out>\n"
        }
        return out + "    </testcase>\n"
    }

    /// XML-escapes text for attributes and content; drops characters XML 1.0 cannot hold.
    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 && !(0xD800...0xDFFF).contains(scalar.value) && scalar.value != 0xFFFE && scalar.value != 0xFFFF {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func seconds(_ s: Double) -> String { String(format: "%.3f", s) }

    /// JUnit's timestamp has no zone designator.
    static func timestamp(_ iso: String) -> String { iso.hasSuffix("Z") ? String(iso.dropLast()) : iso }
}
