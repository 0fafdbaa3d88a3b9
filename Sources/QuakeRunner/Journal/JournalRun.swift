import Foundation
import QuakeCore

/// The first entry of a journal: which run wrote it, against what, and from which process.
public struct JournalRun: Sendable, Equatable, Codable {
    /// Why the journal was opened.
    public enum Purpose: String, Sendable, Codable {
        /// `quake run`: a plan's schedule on a live target.
        case run
        /// `quake lab up`: a lab brought up for exploring by hand, until `quake lab down`.
        case labUp = "lab-up"
    }

    /// The run's id, unique on the machine (plan name, start time and a random suffix).
    public var id: String
    /// Why the journal was opened.
    public var purpose: Purpose
    /// The plan's name.
    public var plan: String
    /// The plan file, as given on the command line.
    public var planFile: String
    /// The target kind: `lab` or `kubernetes`.
    public var target: String
    /// What the run acts on, so that two runs against the same system can be told apart from
    /// runs against different ones (for the lab: its loopback address and first port).
    public var system: String
    /// The run's output folder (the journal is in it).
    public var folder: String
    /// The `quake` process that wrote the journal (PID and start time), to tell a run still
    /// going from one whose process died.
    public var owner: SupervisedProcess
    /// Kubernetes target: the kubeconfig file given (`--kubeconfig` or the plan's), so that
    /// rollback reaches the same clusters; nil for the default lookup.
    public var kubeconfig: String?
    /// Kubernetes target: the `--context` given on the command line, if any.
    public var context: String?

    /// A header from its parts.
    public init(id: String, purpose: Purpose, plan: String, planFile: String, target: String, system: String, folder: String, owner: SupervisedProcess) {
        self.id = id
        self.purpose = purpose
        self.plan = plan
        self.planFile = planFile
        self.target = target
        self.system = system
        self.folder = folder
        self.owner = owner
    }

    /// A new run id for `plan`: `<plan>-<UTC yyyyMMdd-HHmmss>-<4 hex digits>`.
    public static func newID(plan: String, at date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let safe = String(plan.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return "\(safe)-\(formatter.string(from: date))-\(String(UInt16.random(in: 0...UInt16.max), radix: 16))"
    }
}
