/// Where a lab run was when its `quake` process got `SIGKILL`, read from its journal afterwards:
/// the journal holds exactly what the run had written when it died.
enum KillPhase: String, CaseIterable {
    /// No journal yet, or no fault injected yet: `quake` starting, the lab's processes starting,
    /// Prometheus's first scrapes, the schedule's first second.
    case bringUp = "bring-up"
    /// At least one fault journaled as injecting and not every fault confirmed reverted.
    case faults = "faults active"
    /// Every fault reverted and the run not ended: the schedule's last seconds, the wait for the
    /// last access-log lines, scoring, every process stopped.
    case teardown
    /// The run had written its end: the kill landed after its work was done.
    case finished

    /// The phase `journal` shows (`nil`: the run died before it began its journal), for a
    /// schedule of `faults` faults.
    init(_ journal: JournalLines?, faults: Int) {
        guard let journal, !journal.isEnded else {
            self = journal == nil ? .bringUp : .finished
            return
        }
        if journal.injectingFaults == 0 {
            self = .bringUp
        } else {
            self = journal.revertedFaults < faults ? .faults : .teardown
        }
    }
}
