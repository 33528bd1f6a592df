package herald

// Reason says why a reminder has the status it has. It is empty for a
// reminder that is pending for the first time or sent.
type Reason string

// Reasons recorded with a reminder's status.
const (
	// ReasonTooLate: the reminder's time had passed when the meeting was
	// booked or moved (skipped).
	ReasonTooLate Reason = "too_late"
	// ReasonSuperseded: a later rule's time had come before this one went
	// out (skipped).
	ReasonSuperseded Reason = "superseded"
	// ReasonRescheduled: the meeting moved and the reminder was planned
	// anew (cancelled).
	ReasonRescheduled Reason = "rescheduled"
	// ReasonCancelled: the meeting was cancelled (cancelled).
	ReasonCancelled Reason = "meeting_cancelled"
	// ReasonMeetingStarted: the meeting started before the reminder could
	// go (expired).
	ReasonMeetingStarted Reason = "meeting_started"
	// ReasonNoContact: the lead has no usable phone or email (failed).
	ReasonNoContact Reason = "no_contact"
	// ReasonOutcomeLost: whether the provider took the message is not
	// known: the process stopped during the call, a shutdown cut it short,
	// or the provider's answer could not be read (unknown).
	ReasonOutcomeLost Reason = "outcome_lost"
	// ReasonTemplateMissing: the reminder's template could not be rendered
	// (failed).
	ReasonTemplateMissing Reason = "template_missing"
	// ReasonRetriesExhausted: every retry failed (failed).
	ReasonRetriesExhausted Reason = "retries_exhausted"
	// ReasonRetryAfterStart: the next retry would have come after the
	// meeting started (expired).
	ReasonRetryAfterStart Reason = "retry_after_start"
	// ReasonRejected: the provider refused the message for good (failed).
	ReasonRejected Reason = "rejected"
	// ReasonErased: the lead's data was erased on request (cancelled).
	ReasonErased Reason = "erased"
	// ReasonSMSUndelivered: a receipt reported the SMS undelivered for a
	// reason of the recipient's, and the reminder goes again by email
	// (pending).
	ReasonSMSUndelivered Reason = "sms_undelivered"
	// ReasonSMSUnavailable: the SMS could not go for a reason that is not
	// the recipient's (retries used up, the next retry after the meeting's
	// start, the account refused, every provider down), and the reminder
	// goes by email instead, once (pending).
	ReasonSMSUnavailable Reason = "sms_unavailable"
	// ReasonOutsideWindow: the reminder's time fell outside the tenant's
	// send window and its rule says skip (skipped).
	ReasonOutsideWindow Reason = "outside_window"
	// ReasonValidityExpired: the provider dropped the SMS unsent when the
	// meeting began, the deadline Herald gave it (expired).
	ReasonValidityExpired Reason = "validity_expired"
)
