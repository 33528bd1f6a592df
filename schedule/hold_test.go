package schedule_test

import (
	"context"
	"testing"
	"time"

	"herald"
	"herald/schedule"
)

// TestDisabledTenantHoldsReminders disables the tenant before its
// reminders are due: they are neither sent nor cancelled, and go once the
// tenant is enabled again; one whose meeting started meanwhile expires.
// Both the single and the batched delivery transactions hold them.
func TestDisabledTenantHoldsReminders(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		for _, batched := range []bool{false, true} {
			if batched {
				b.deliverer.Store = schedule.NewDeliveryBatcher(b.store, 1, 64)
			}
			ctx := context.Background()
			lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
			rs := b.book(t, lead.ID, "")
			sentBefore := len(b.sms.messages())
			if _, err := b.store.SetTenantDisabled(ctx, b.tenant.ID, true); err != nil {
				t.Fatal(err)
			}
			r := rs["1h"]
			if err := b.deliverAt(t, r, r.ScheduledAt); err == nil {
				t.Fatal("a held reminder's job did not ask to run again")
			}
			if got := b.reminder(t, r.ID); got.Status != herald.ReminderPending || got.Attempts != 0 {
				t.Fatalf("held reminder = %s with %d attempts, want pending", got.Status, got.Attempts)
			}
			if n := len(b.sms.messages()); n != sentBefore {
				t.Fatal("a disabled tenant's reminder was sent")
			}
			if _, err := b.store.SetTenantDisabled(ctx, b.tenant.ID, false); err != nil {
				t.Fatal(err)
			}
			if err := b.deliverAt(t, r, r.ScheduledAt.Add(schedule.TenantHoldRecheck)); err != nil {
				t.Fatal(err)
			}
			if got := b.reminder(t, r.ID); got.Status != herald.ReminderSent {
				t.Fatalf("reminder after enabling = %s, want sent", got.Status)
			}

			// Disabled past the meeting's start: the 10-minute reminder
			// expires instead of going late.
			if _, err := b.store.SetTenantDisabled(ctx, b.tenant.ID, true); err != nil {
				t.Fatal(err)
			}
			r = rs["10m"]
			if err := b.deliverAt(t, r, r.ScheduledAt); err == nil {
				t.Fatal("a held reminder's job did not ask to run again")
			}
			if _, err := b.store.SetTenantDisabled(ctx, b.tenant.ID, false); err != nil {
				t.Fatal(err)
			}
			if err := b.deliverAt(t, r, start.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if got := b.reminder(t, r.ID); got.Status != herald.ReminderExpired {
				t.Fatalf("reminder enabled after its meeting started = %s, want expired", got.Status)
			}
		}
	})
}
