package herald

import "time"

// Meeting statuses.
const (
	MeetingScheduled = "scheduled"
	MeetingConfirmed = "confirmed"
	MeetingCancelled = "cancelled"
)

// Meeting is a booked appointment with a lead.
type Meeting struct {
	ID          string     `json:"id"`
	TenantID    string     `json:"-"`
	LeadID      string     `json:"lead_id"`
	Title       string     `json:"title"`
	StartsAt    time.Time  `json:"starts_at"`
	Timezone    string     `json:"timezone"`
	JoinLink    string     `json:"join_link"`
	Status      string     `json:"status"`
	Source      string     `json:"source"`
	ConfirmedAt *time.Time `json:"confirmed_at"`
	CancelledAt *time.Time `json:"cancelled_at"`
	// Sequence grows with each reschedule; calendar invites carry it.
	Sequence  int        `json:"sequence"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	Reminders []Reminder `json:"reminders"`
}

// Active reports whether the meeting may still get reminders.
func (m *Meeting) Active() bool {
	return m.Status == MeetingScheduled || m.Status == MeetingConfirmed
}

// BookMeetingInput books a meeting.
type BookMeetingInput struct {
	LeadID   string    `json:"lead_id"`
	Title    string    `json:"title"`
	StartsAt time.Time `json:"starts_at"`
	Timezone string    `json:"timezone"`
	JoinLink string    `json:"join_link"`
	Source   string    `json:"source"`
}

// MeetingPatch changes a meeting; nil fields stay as they are.
type MeetingPatch struct {
	Title    *string    `json:"title"`
	StartsAt *time.Time `json:"starts_at"`
	JoinLink *string    `json:"join_link"`
}

// MeetingFilter narrows a meeting list.
type MeetingFilter struct {
	Status string
	From   *time.Time
	To     *time.Time
	Page   PageRequest
}
