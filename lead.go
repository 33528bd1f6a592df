package herald

import "time"

// Lead is a person to remind.
type Lead struct {
	ID       string `json:"id"`
	TenantID string `json:"-"`
	Name     string `json:"name"`
	// Phone is in E.164 form, or empty.
	Phone         string     `json:"phone"`
	Email         string     `json:"email"`
	Timezone      string     `json:"timezone"`
	Locale        string     `json:"locale"`
	SMSOptedOut   bool       `json:"sms_opted_out"`
	SMSOptedOutAt *time.Time `json:"sms_opted_out_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// LeadInput creates a lead. Fields are validated and normalised before
// they reach a store (see the contact package).
type LeadInput struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Email    string `json:"email"`
	Timezone string `json:"timezone"`
	Locale   string `json:"locale"`
}

// LeadPatch changes a lead; nil fields stay as they are.
type LeadPatch struct {
	Name     *string `json:"name"`
	Phone    *string `json:"phone"`
	Email    *string `json:"email"`
	Timezone *string `json:"timezone"`
	Locale   *string `json:"locale"`
}

// Apply returns lead with the patch's fields set.
func (p LeadPatch) Apply(lead Lead) Lead {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&lead.Name, p.Name)
	set(&lead.Phone, p.Phone)
	set(&lead.Email, p.Email)
	set(&lead.Timezone, p.Timezone)
	set(&lead.Locale, p.Locale)
	return lead
}
