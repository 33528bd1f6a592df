package herald

// AttemptOutcome is how an attempt, or one provider call within it, ended.
// An attempt still open has none.
type AttemptOutcome string

// Attempt and provider call outcomes.
const (
	// OutcomeSent: the provider took the message.
	OutcomeSent AttemptOutcome = "sent"
	// OutcomeTransient: the call failed and may succeed later.
	OutcomeTransient AttemptOutcome = "transient"
	// OutcomeThrottled: the provider asked to wait.
	OutcomeThrottled AttemptOutcome = "throttled"
	// OutcomePermanent: the message will never be taken.
	OutcomePermanent AttemptOutcome = "permanent"
	// OutcomePermanentRecipient: the message will never be taken for this
	// recipient on this channel.
	OutcomePermanentRecipient AttemptOutcome = "permanent_recipient"
	// OutcomeSkipped: a provider call not made, its provider being out of
	// service.
	OutcomeSkipped AttemptOutcome = "skipped"
	// OutcomeUnknown: the process stopped during the call, so whether the
	// provider took the message is not known.
	OutcomeUnknown AttemptOutcome = "unknown"
)

// Audit outcomes that are no status of their own. Other audit entries
// carry the status of their entity as outcome.
const (
	AuditOK        = "ok"
	AuditOptedOut  = "opted_out"
	AuditOptedIn   = "opted_in"
	AuditReplySent = "sent"
	AuditRefused   = "failed"
)
