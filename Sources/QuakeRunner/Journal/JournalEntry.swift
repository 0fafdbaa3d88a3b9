import Foundation
import QuakeCore

/// One line of a run's journal: what was about to happen or has happened, and when.
///
/// Each intended change is written (and flushed to disk) before it is made, with what it takes to
/// undo it, and confirmed after; so after a crash the journal tells what may still be in effect.
public struct JournalEntry: Sendable, Equatable {
    /// What the entry records.
    public enum Event: Sendable, Equatable {
        /// The run began (always the first entry).
        case began(JournalRun)
        /// A process is about to be started (its PID is not known yet).
        case processStarting(SupervisedProcess)
        /// A process was started: its PID, process group and start time.
        case processStarted(SupervisedProcess)
        /// Fault `index` of the plan's schedule is about to be injected.
        case faultInjecting(index: Int, description: String)
        /// A change to the target for fault `index` is about to be made (a taint, a patched
        /// VirtualService): `change` is what undoes it, as the target writes it (JSON).
        case changeMaking(index: Int, change: String)
        /// Fault `index` was injected.
        case faultInjected(index: Int)
        /// Fault `index` is about to be reverted.
        case faultReverting(index: Int)
        /// Fault `index` was reverted and the revert confirmed.
        case faultReverted(index: Int)
        /// The run ended: `passed`, `failed`, `aborted`, `cancelled`, `error`, `torn-down` …;
        /// nothing it started is left.
        case ended(status: String)
    }

    /// When it was written.
    public var at: Date
    /// What it records.
    public var event: Event

    /// An entry from its parts.
    public init(at: Date = Date(), _ event: Event) {
        self.at = at
        self.event = event
    }
}

extension JournalEntry: Codable {
    private enum Key: String, CodingKey { case at, kind, run, process, fault, description, change, status }

    private enum Kind: String, Codable {
        case began = "run-began"
        case processStarting = "process-starting"
        case processStarted = "process-started"
        case faultInjecting = "fault-injecting"
        case changeMaking = "change-making"
        case faultInjected = "fault-injected"
        case faultReverting = "fault-reverting"
        case faultReverted = "fault-reverted"
        case ended = "run-ended"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        at = try c.decode(Date.self, forKey: .at)
        switch try c.decode(Kind.self, forKey: .kind) {
        case .began: event = .began(try c.decode(JournalRun.self, forKey: .run))
        case .processStarting: event = .processStarting(try c.decode(SupervisedProcess.self, forKey: .process))
        case .processStarted: event = .processStarted(try c.decode(SupervisedProcess.self, forKey: .process))
        case .faultInjecting: event = .faultInjecting(index: try c.decode(Int.self, forKey: .fault), description: try c.decode(String.self, forKey: .description))
        case .changeMaking: event = .changeMaking(index: try c.decode(Int.self, forKey: .fault), change: try c.decode(String.self, forKey: .change))
        case .faultInjected: event = .faultInjected(index: try c.decode(Int.self, forKey: .fault))
        case .faultReverting: event = .faultReverting(index: try c.decode(Int.self, forKey: .fault))
        case .faultReverted: event = .faultReverted(index: try c.decode(Int.self, forKey: .fault))
        case .ended: event = .ended(status: try c.decode(String.self, forKey: .status))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(at, forKey: .at)
        switch event {
        case let .began(run):
            try c.encode(Kind.began, forKey: .kind)
            try c.encode(run, forKey: .run)
        case let .processStarting(process):
            try c.encode(Kind.processStarting, forKey: .kind)
            try c.encode(process, forKey: .process)
        case let .processStarted(process):
            try c.encode(Kind.processStarted, forKey: .kind)
            try c.encode(process, forKey: .process)
        case let .faultInjecting(index, description):
            try c.encode(Kind.faultInjecting, forKey: .kind)
            try c.encode(index, forKey: .fault)
            try c.encode(description, forKey: .description)
        case let .changeMaking(index, change):
            try c.encode(Kind.changeMaking, forKey: .kind)
            try c.encode(index, forKey: .fault)
            try c.encode(change, forKey: .change)
        case let .faultInjected(index):
            try c.encode(Kind.faultInjected, forKey: .kind)
            try c.encode(index, forKey: .fault)
        case let .faultReverting(index):
            try c.encode(Kind.faultReverting, forKey: .kind)
            try c.encode(index, forKey: .fault)
        case let .faultReverted(index):
            try c.encode(Kind.faultReverted, forKey: .kind)
            try c.encode(index, forKey: .fault)
        case let .ended(status):
            try c.encode(Kind.ended, forKey: .kind)
            try c.encode(status, forKey: .status)
        }
    }
}
