/// A target that runs on the wall clock (`lab`, `kubernetes`): the Runner brings it up, injects and
/// reverts the plan's faults at their times, asks for what it observed every window, and always
/// tears it down. The model target needs none of this: it simulates in virtual time.
///
/// Every method may be called from any task; an implementation serialises what it must.
public protocol LiveTarget: AnyObject, Sendable {
    /// Starts what the experiment needs (processes, traffic, collectors); returns once traffic flows.
    func prepare() async throws
    /// Injects fault `index` of the plan's schedule; returns once it is in effect.
    func inject(_ fault: FaultSpec, index: Int) async throws
    /// Reverts fault `index`; returns once the target confirms the revert. Safe to call again.
    func revert(_ fault: FaultSpec, index: Int) async throws
    /// Performs one step of a procedure (a canary upgrade's traffic shift, say); `index` is the
    /// procedure's place in the journal (after the schedule's faults), under which its changes
    /// are kept until ``revert(_:index:)-(Procedure,_)`` or its own restoring steps undo them.
    func perform(_ step: ProcedureStep, of procedure: Procedure, index: Int) async throws
    /// Whether the effect a performed step waits for is there (a `check`: the cluster is Ready;
    /// `migrate-workloads`: its workloads have left). The Runner asks right after the step and then
    /// every window, until true or the action's ``ProcedureAction/confirmationTimeout``.
    func isComplete(_ step: ProcedureStep, of procedure: Procedure, index: Int) async throws -> Bool
    /// Undoes whatever procedure `index` changed and has not put back itself (traffic weights,
    /// cluster taints); returns once the target confirms it. Safe to call again.
    func revert(_ procedure: Procedure, index: Int) async throws
    /// What was observed so far, windows `0...window` filled as far as the sources allow: the
    /// Runner checks stop conditions on it.
    func observe(through window: Int) async throws -> Timeline
    /// Stops traffic, waits for the collectors to catch up and returns the whole timeline.
    func finish() async throws -> Timeline
    /// Stops everything the target started; never throws, always returns.
    func teardown() async
}
