package herald

import (
	"strconv"
	"time"
)

// Reminder is one planned message for one meeting and rule.
type Reminder struct {
	ID          string    `json:"id"`
	TenantID    string    `json:"-"`
	MeetingID   string    `json:"meeting_id"`
	Rule        string    `json:"rule"`
	Template    string    `json:"template"`
	ScheduledAt time.Time `json:"scheduled_at"`
	// RuleAt is the time its rule names (the meeting's start minus the
	// rule's offset); ScheduledAt differs from it when the send window
	// moved the reminder.
	RuleAt            time.Time      `json:"rule_at"`
	Status            ReminderStatus `json:"status"`
	Reason            Reason         `json:"reason"`
	Channel           string         `json:"channel"`
	Provider          string         `json:"provider"`
	Attempts          int            `json:"attempts"`
	MaxRetries        int            `json:"max_retries"`
	NextRetryAt       *time.Time     `json:"next_retry_at"`
	LastError         string         `json:"last_error"`
	ExternalMessageID string         `json:"external_message_id"`
	IdempotencyKey    string         `json:"idempotency_key"`
	DeliveryStatus    DeliveryStatus `json:"delivery_status"`
	SentAt            *time.Time     `json:"sent_at"`
	CreatedAt         time.Time      `json:"created_at"`
	UpdatedAt         time.Time      `json:"updated_at"`
	// JobID is the job engine's id of the job that will send it, 0 when
	// none is planned.
	JobID int64 `json:"-"`
	// AttemptHistory is filled only when one reminder is read.
	AttemptHistory []Attempt `json:"attempt_history,omitempty"`
}

// Final reports whether the reminder can no longer change by itself.
func (r *Reminder) Final() bool {
	switch r.Status {
	case ReminderPending, ReminderSending, ReminderUnknown:
		return false
	}
	return true
}

// Attempt is one try to hand a reminder to a provider.
type Attempt struct {
	ID         string `json:"id"`
	ReminderID string `json:"reminder_id"`
	Number     int    `json:"number"`
	Channel    string `json:"channel"`
	Provider   string `json:"provider"`
	// Reference is echoed by the provider (client-ref, Message-ID).
	Reference         string         `json:"reference"`
	Outcome           AttemptOutcome `json:"outcome"`
	Error             string         `json:"error"`
	ProviderMessageID string         `json:"provider_message_id"`
	Calls             []ProviderCall `json:"calls"`
	StartedAt         time.Time      `json:"started_at"`
	FinishedAt        *time.Time     `json:"finished_at"`
	// Recipient is where the attempt sent to (a phone in E.164 or an
	// address) and Sender the number the SMS provider sent from. Inbound
	// SMS and opt-outs are matched to tenants through them; they are not
	// part of the API.
	Recipient string `json:"-"`
	Sender    string `json:"-"`
}

// ReminderFilter narrows a reminder list.
type ReminderFilter struct {
	Status    ReminderStatus
	MeetingID string
	Page      PageRequest
}

// PlanReminders returns the reminders of a meeting booked (or moved) at now:
// one per rule, at StartsAt minus the rule's offset. A reminder whose time
// is not after now is skipped as too late: it is never sent late, and never
// at booking time.
func PlanReminders(m *Meeting, rules []ReminderRule, now time.Time, maxRetries int) []Reminder {
	out := make([]Reminder, 0, len(rules))
	for _, rule := range rules {
		r := Reminder{
			ID:          NewID("rem_"),
			TenantID:    m.TenantID,
			MeetingID:   m.ID,
			Rule:        rule.Name,
			Template:    rule.Template,
			ScheduledAt: m.StartsAt.Add(-time.Duration(rule.Offset)).UTC(),
			RuleAt:      m.StartsAt.Add(-time.Duration(rule.Offset)).UTC(),
			Status:      ReminderPending,
			MaxRetries:  maxRetries,
			CreatedAt:   now,
			UpdatedAt:   now,
		}
		// The key names meeting, sequence and rule: one reminder per rule
		// per planning of a meeting, whatever retries or replays happen.
		r.IdempotencyKey = m.ID + ":" + strconv.Itoa(m.Sequence) + ":" + rule.Name
		if !r.ScheduledAt.After(now) {
			r.Status = ReminderSkipped
			r.Reason = ReasonTooLate
		}
		out = append(out, r)
	}
	return out
}
