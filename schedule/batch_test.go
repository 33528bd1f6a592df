package schedule_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"herald"
	"herald/schedule"
)

// countingStore counts the transactions the batcher asks for.
type countingStore struct {
	schedule.BatchDeliveryStore
	singles, batches, batched atomic.Int64
}

func (c *countingStore) UpdateDelivery(ctx context.Context, tenantID, reminderID string, decide func(*herald.DeliveryState) error) error {
	c.singles.Add(1)
	return c.BatchDeliveryStore.UpdateDelivery(ctx, tenantID, reminderID, decide)
}

func (c *countingStore) UpdateDeliveries(ctx context.Context, updates []herald.DeliveryUpdate) []error {
	c.batches.Add(1)
	c.batched.Add(int64(len(updates)))
	return c.BatchDeliveryStore.UpdateDeliveries(ctx, updates)
}

// TestBatcherSendsABurstOnceEach runs the jobs of many reminders due at
// the same instant at once through the batcher: each is sent exactly once
// and recorded as sent with its attempt and audit actions, in fewer
// transactions than reminders.
func TestBatcherSendsABurstOnceEach(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671"})
		var due []herald.Reminder
		for range 40 {
			due = append(due, b.book(t, lead.ID, "")["1h"])
		}
		counting := &countingStore{BatchDeliveryStore: b.store}
		b.deliverer.Store = schedule.NewDeliveryBatcher(counting, 2, 16)
		b.clock.Set(due[0].ScheduledAt)
		var wg sync.WaitGroup
		for _, r := range due {
			wg.Go(func() {
				if err := b.deliverer.Deliver(context.Background(), b.tenant.ID, r.ID); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := len(b.sms.messages()); n != len(due) {
			t.Fatalf("%d SMS for %d reminders", n, len(due))
		}
		for _, r := range due {
			got := b.reminder(t, r.ID)
			if got.Status != herald.ReminderSent || len(got.AttemptHistory) != 1 || got.AttemptHistory[0].Outcome != "sent" {
				t.Fatalf("reminder after the burst: %+v", got)
			}
			if actions := b.auditActions(t, r.ID); len(actions) != 3 {
				t.Errorf("audit of %s: %v", r.ID, actions)
			}
		}
		calls := counting.singles.Load() + counting.batches.Load()
		if updates := counting.singles.Load() + counting.batched.Load(); calls >= updates || updates != int64(2*len(due)) {
			t.Errorf("%d transactions for %d updates of %d reminders", calls, updates, len(due))
		}
	})
}

// TestUpdateDeliveriesLoadsWhatUpdateDeliveryLoads guards the batch loader
// against drifting from the single one: both give each decide the same
// state, for reminders of several meetings, with and without attempts.
func TestUpdateDeliveriesLoadsWhatUpdateDeliveryLoads(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		lead := b.lead(t, herald.LeadInput{Phone: "+14155552671", Email: "john@example.com"})
		first, second := b.book(t, lead.ID, "https://meet.example.com/a"), b.book(t, lead.ID, "")
		if err := b.deliverAt(t, first["24h"], first["24h"].ScheduledAt); err != nil {
			t.Fatal(err)
		}
		keep := errors.New("look only")
		ids := []string{first["24h"].ID, first["1h"].ID, second["10m"].ID}
		single := map[string]herald.DeliveryState{}
		for _, id := range ids {
			err := b.store.UpdateDelivery(ctx, b.tenant.ID, id, func(st *herald.DeliveryState) error {
				single[id] = *st
				return keep
			})
			if !errors.Is(err, keep) {
				t.Fatal(err)
			}
		}
		batched := map[string]herald.DeliveryState{}
		var updates []herald.DeliveryUpdate
		for _, id := range ids {
			updates = append(updates, herald.DeliveryUpdate{TenantID: b.tenant.ID, ReminderID: id,
				Decide: func(st *herald.DeliveryState) error { batched[id] = *st; return keep }})
		}
		for i, err := range b.store.UpdateDeliveries(ctx, updates) {
			if !errors.Is(err, keep) {
				t.Fatalf("update %d: %v", i, err)
			}
		}
		for _, id := range ids {
			if !reflect.DeepEqual(single[id], batched[id]) {
				t.Errorf("state of %s\nalone:   %+v\nbatched: %+v", id, single[id], batched[id])
			}
		}
		if len(single[first["24h"].ID].Attempts) != 1 {
			t.Errorf("the sent reminder's state has %d attempts", len(single[first["24h"].ID].Attempts))
		}
	})
}

// TestUpdateDeliveriesKeepsUpdatesApart gives one batch a missing
// reminder, a decide that fails and a reminder named twice: each gets its
// own outcome, the others are saved, and the repeat sees the first save.
func TestUpdateDeliveriesKeepsUpdatesApart(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		rs := b.book(t, b.lead(t, herald.LeadInput{Phone: "+14155552671"}).ID, "")
		fail := errors.New("decided to fail")
		skip := func(reason herald.Reason) func(*herald.DeliveryState) error {
			return func(st *herald.DeliveryState) error {
				st.Reminder.Status, st.Reminder.Reason = herald.ReminderSkipped, reason
				st.Audit = append(st.Audit, herald.AuditAction{TenantID: st.Tenant.ID, Action: "test.skip",
					EntityType: "reminder", EntityID: st.Reminder.ID, At: time.Now()})
				return nil
			}
		}
		var seenByRepeat herald.Reason
		errs := b.store.UpdateDeliveries(ctx, []herald.DeliveryUpdate{
			{TenantID: b.tenant.ID, ReminderID: "rem_missing", Decide: skip("x")},
			{TenantID: b.tenant.ID, ReminderID: rs["24h"].ID, Decide: func(*herald.DeliveryState) error { return fail }},
			{TenantID: b.tenant.ID, ReminderID: rs["1h"].ID, Decide: skip("first")},
			{TenantID: b.tenant.ID, ReminderID: rs["1h"].ID, Decide: func(st *herald.DeliveryState) error {
				seenByRepeat = st.Reminder.Reason
				return nil
			}},
			{TenantID: "ten_other", ReminderID: rs["10m"].ID, Decide: skip("other tenant")},
		})
		if herald.ErrorCode(errs[0]) != herald.ECodeNotFound || !errors.Is(errs[1], fail) || errs[2] != nil ||
			errs[3] != nil || herald.ErrorCode(errs[4]) != herald.ECodeNotFound {
			t.Fatalf("errors: %v", errs)
		}
		if seenByRepeat != "first" {
			t.Errorf("the repeated reminder saw reason %q, want the first update's", seenByRepeat)
		}
		for rule, want := range map[string]herald.ReminderStatus{"24h": herald.ReminderPending, "1h": herald.ReminderSkipped,
			"10m": herald.ReminderPending} {
			if got := b.reminder(t, rs[rule].ID); got.Status != want {
				t.Errorf("%s reminder is %s, want %s", rule, got.Status, want)
			}
		}
		if actions := b.auditActions(t, rs["1h"].ID); len(actions) != 2 {
			t.Errorf("audit of the skipped reminder: %v", actions)
		}
	})
}

// TestUpdateDeliveriesOfOddSizes saves batches whose sizes the store
// pads or splits into the sizes it prepares statements for: each reminder
// of a batch is loaded with its own meeting's reminders, once each, and is
// claimed and then sent exactly once, with one attempt, one audit action
// of each kind and one event.
func TestUpdateDeliveriesOfOddSizes(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		// Five meetings of five leads: the first batch has one reminder of
		// each, the second the other ten, so that every list the store
		// loads by (reminders, meetings, leads, phones) is padded.
		var first, second []herald.Reminder
		for _, phone := range []string{"+14155552671", "+14155552672", "+14155552673", "+14155552674", "+14155552675"} {
			lead := b.lead(t, herald.LeadInput{Phone: phone})
			booked := b.book(t, lead.ID, "")
			first = append(first, booked["24h"])
			second = append(second, booked["1h"], booked["10m"])
		}
		pending := append(append([]herald.Reminder{}, first...), second...)
		claimAt, sentAt := b.clock.Now().Add(time.Minute), b.clock.Now().Add(2*time.Minute)
		for _, batch := range [][]herald.Reminder{first, second} {
			claim := make([]herald.DeliveryUpdate, len(batch))
			for i, r := range batch {
				claim[i] = herald.DeliveryUpdate{TenantID: b.tenant.ID, ReminderID: r.ID, Decide: func(st *herald.DeliveryState) error {
					if ids := reminderIDs(st.Meeting.Reminders); len(ids) != 3 || ids[0] == ids[1] || ids[1] == ids[2] {
						t.Errorf("reminder %s loaded with its meeting's reminders %v", r.ID, ids)
					}
					a := herald.Attempt{ID: herald.NewID("att_"), ReminderID: r.ID, Number: 1, Channel: "sms",
						Recipient: st.Lead.Phone, StartedAt: claimAt}
					a.Reference = a.ID
					st.Reminder.Status, st.Reminder.Channel = herald.ReminderSending, "sms"
					st.Reminder.Attempts++
					st.NewAttempt = &a
					st.Audit = append(st.Audit, st.Reminder.Audit(herald.ActionAttempt, "attempt 1", claimAt))
					return nil
				}}
			}
			settle := make([]herald.DeliveryUpdate, len(batch))
			for i, r := range batch {
				settle[i] = herald.DeliveryUpdate{TenantID: b.tenant.ID, ReminderID: r.ID, Decide: func(st *herald.DeliveryState) error {
					done := *st.OpenAttempt()
					done.Outcome, done.Provider, done.FinishedAt = herald.OutcomeSent, "vonage", &sentAt
					st.FinishedAttempt = &done
					st.Reminder.Status, st.Reminder.Provider, st.Reminder.SentAt = herald.ReminderSent, "vonage", &sentAt
					st.Audit = append(st.Audit, st.Reminder.Audit(herald.ActionSent, "sent", sentAt))
					return nil
				}}
			}
			for _, updates := range [][]herald.DeliveryUpdate{claim, settle} {
				for i, err := range b.store.UpdateDeliveries(ctx, updates) {
					if err != nil {
						t.Fatalf("update %d of a batch of %d: %v", i, len(updates), err)
					}
				}
			}
		}
		for _, r := range pending {
			got := b.reminder(t, r.ID)
			if got.Status != herald.ReminderSent || got.Attempts != 1 || len(got.AttemptHistory) != 1 ||
				got.AttemptHistory[0].Outcome != herald.OutcomeSent {
				t.Errorf("reminder %s: status %s, %d attempts, history %+v", r.ID, got.Status, got.Attempts, got.AttemptHistory)
			}
			if actions := b.auditActions(t, r.ID); !reflect.DeepEqual(actions[len(actions)-2:],
				[]string{string(herald.ActionAttempt), string(herald.ActionSent)}) || len(actions) != 3 {
				t.Errorf("audit of %s: %v", r.ID, actions)
			}
			events, err := b.store.ListEvents(ctx, b.tenant.ID, herald.EventFilter{ObjectID: r.ID})
			if err != nil || len(events.Items) != 1 || events.Items[0].Type != herald.EventReminderSent {
				t.Errorf("events of %s: %+v (%v)", r.ID, events.Items, err)
			}
		}
	})
}

func reminderIDs(rs []herald.Reminder) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return ids
}
