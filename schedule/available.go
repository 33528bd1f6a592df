package schedule

import "herald"

// smsAvailable reports whether the SMS of the reminder's tenant can go at
// all: not without an SMS sender, and, with a sender that sends for some
// tenants only (herald.TenantSMS: tenants' own accounts on a process
// whose operator has no SMS provider), as that sender says. known is
// false when the sender has yet to learn it, which it does while a slot
// is waited for.
func (d *Deliverer) smsAvailable(st *herald.DeliveryState) (available, known bool) {
	if d.SMS == nil {
		return false, true
	}
	if ts, ok := d.SMS.(herald.TenantSMS); ok {
		return ts.SMSAvailable(st.Tenant.ID)
	}
	return true, true
}
