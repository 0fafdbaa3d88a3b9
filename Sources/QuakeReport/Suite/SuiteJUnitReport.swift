/// The combined `junit.xml` of a suite: one `<testsuites>` named after the suite, holding each
/// plan's `<testsuite>` as `quake run PLAN` writes it; a plan without a record is a test suite
/// with one erroring `run` case that says why.
public enum SuiteJUnitReport {
    /// The XML.
    public static func render(_ s: SuiteRecord) -> String {
        let unrun = s.entries.filter { $0.record == nil }.count
        var totals = JUnitReport.Totals(s.entries.compactMap(\.record))
        totals.tests += unrun
        totals.errors += unrun
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"\(JUnitReport.escape(s.name))\" \(totals.attributes)>\n"
        for e in s.entries {
            if let record = e.record {
                out += JUnitReport.testsuite(record)
                continue
            }
            let name = JUnitReport.escape(e.name)
            out += "  <testsuite name=\"\(name)\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\" timestamp=\"\(JUnitReport.escape(JUnitReport.timestamp(s.startedAt)))\">\n"
            out += "    <properties>\n      <property name=\"target\" value=\"\(JUnitReport.escape(e.target))\"/>\n      <property name=\"verdict\" value=\"\(e.verdict)\"/>\n    </properties>\n"
            out += "    <testcase classname=\"\(name)\" name=\"run\" time=\"0\">\n"
            out += "      <error message=\"\(JUnitReport.escape(e.reason ?? e.verdict))\" type=\"\(e.verdict == "aborted" ? "Stopped" : "PlanError")\"/>\n    </testcase>\n  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }
}
