package schedule

import (
	"slices"
	"time"

	"herald"
)

// applyOptOuts opts the lead out of SMS when its phone has an opt-out on
// record from a number its SMS would go from (see sendingNumbers), which
// the lead's own flag may not show yet: its tenant began sending from that
// number after the opt-out. The store records it for the lead, with an
// audit entry. It returns false, changing nothing, when an opt-out is on
// record but the numbers the SMS would go from are not known yet.
func (d *Deliverer) applyOptOuts(st *herald.DeliveryState, now time.Time) bool {
	if st.Lead.SMSOptedOut || st.Lead.Phone == "" || len(st.OptOuts) == 0 {
		return true
	}
	numbers, known := d.sendingNumbers(st)
	if !known {
		return false
	}
	for _, o := range st.OptOuts {
		if len(numbers) > 0 && !slices.Contains(numbers, herald.NormalizeNumber(o.Sender)) {
			continue
		}
		st.Lead.SMSOptedOut = true
		st.OptOut = &herald.OptOut{Phone: st.Lead.Phone, Sender: o.Sender, OptedOut: true, Provider: o.Provider,
			Cause: o.Cause, Lead: &herald.LeadRef{TenantID: st.Tenant.ID, LeadID: st.Lead.ID}, At: now}
		return true
	}
	return true
}

// sendingNumbers returns the numbers the tenant's SMS would go from, the
// ones an opt-out must be from to hold at send time (docs/RULES.md,
// "Opt-outs"): the tenant's sms_from when it has one, which every provider
// sends from; else its own accounts' numbers when it has some; else the
// operator's (Deliverer.SMSFrom). Empty means not known to Herald, and an
// opt-out from any number holds. known is false when the SMS sender has
// yet to learn the tenant's own numbers.
func (d *Deliverer) sendingNumbers(st *herald.DeliveryState) (numbers []string, known bool) {
	if from := st.Settings.SMSFrom; from != "" {
		return []string{herald.NormalizeNumber(from)}, true
	}
	if tn, ok := d.SMS.(herald.TenantNumbers); ok {
		own, known := tn.FromNumbers(st.Tenant.ID)
		if !known {
			return nil, false
		}
		if len(own) > 0 {
			return own, true
		}
	}
	return d.SMSFrom, true
}
