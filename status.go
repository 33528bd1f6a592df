package herald

// ReminderStatus is where a reminder stands in its life cycle:
// pending → sending → sent, or one of the final statuses.
type ReminderStatus string

// Reminder statuses.
const (
	ReminderPending   ReminderStatus = "pending"
	ReminderSending   ReminderStatus = "sending"
	ReminderSent      ReminderStatus = "sent"
	ReminderFailed    ReminderStatus = "failed"
	ReminderCancelled ReminderStatus = "cancelled"
	ReminderSkipped   ReminderStatus = "skipped"
	ReminderExpired   ReminderStatus = "expired"
	// ReminderUnknown is a reminder whose provider call was in flight when
	// its process stopped: it is never sent blindly again.
	ReminderUnknown ReminderStatus = "unknown"
)

// ReminderStatuses lists every reminder status, in life-cycle order.
var ReminderStatuses = []ReminderStatus{ReminderPending, ReminderSending, ReminderSent, ReminderFailed,
	ReminderCancelled, ReminderSkipped, ReminderExpired, ReminderUnknown}

// Valid reports whether s is one of the reminder statuses.
func (s ReminderStatus) Valid() bool {
	for _, v := range ReminderStatuses {
		if s == v {
			return true
		}
	}
	return false
}
