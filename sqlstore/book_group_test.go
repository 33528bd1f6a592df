package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"herald"
	"herald/dbtest"
	"herald/schedule"
	"herald/sqlstore"
)

// bookingCase is one booking of a group and what it was answered.
type bookingCase struct {
	leadID  string
	idem    herald.Idempotency
	meeting herald.Meeting
	err     error
	// visible is what another read saw of the booking as soon as it was
	// answered: its reminders and their jobs.
	reminders, jobs int
}

// bookHeldGroup books cases while the store's bookings are held, so they
// all go in one group, with extra (queued first) if given, and returns once
// each is answered.
func bookHeldGroup(t *testing.T, store *sqlstore.Store, db *sqlstore.DB, tenantID string, cases []*bookingCase, extra ...func()) {
	t.Helper()
	ctx := context.Background()
	waiting, release := sqlstore.HoldBookings(store)
	start := time.Now().Add(72 * time.Hour).Truncate(time.Second)
	var wg sync.WaitGroup
	for _, fn := range extra {
		wg.Go(fn)
	}
	for waiting() < len(extra) {
		time.Sleep(time.Millisecond)
	}
	for i, c := range cases {
		wg.Go(func() {
			c.meeting, _, c.err = store.BookMeeting(ctx, tenantID, herald.BookMeetingInput{LeadID: c.leadID,
				Title: fmt.Sprintf("Demo %d", i), StartsAt: start.Add(time.Duration(i) * time.Minute)}, c.idem)
			if c.err != nil {
				return
			}
			_ = db.QueryRowContext(ctx, "SELECT count(*) FROM reminders WHERE meeting_id = $1", c.meeting.ID).Scan(&c.reminders)
			_ = db.QueryRowContext(ctx, `SELECT count(*) FROM river_job j JOIN reminders r ON r.job_id = j.id
				WHERE r.meeting_id = $1`, c.meeting.ID).Scan(&c.jobs)
		})
	}
	for waiting() < len(extra)+len(cases) {
		time.Sleep(time.Millisecond)
	}
	release()
	wg.Wait()
}

// groupStore is a store with the real job engine on db, with one tenant
// and one lead.
func groupStore(t *testing.T, db *sqlstore.DB) (*sqlstore.Store, string, string) {
	t.Helper()
	client, err := schedule.NewInsertClient(db.RiverDriver())
	if err != nil {
		t.Fatal(err)
	}
	store := sqlstore.New(db, schedule.NewJobs(client), sqlstore.Options{})
	ctx := context.Background()
	tenant, _, err := store.CreateTenant(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	lead, err := store.CreateLead(ctx, tenant.ID, herald.LeadInput{Name: "Ada", Phone: "+14155552671", Timezone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	return store, tenant.ID, lead.ID
}

// checkAnswers checks that each case with a real lead was booked, with
// its three reminders and jobs there as soon as it was answered, that each
// other case was refused as an unknown lead, and that the tenant has
// exactly the meetings booked.
func checkAnswers(t *testing.T, store *sqlstore.Store, tenantID, leadID string, cases []*bookingCase) {
	t.Helper()
	booked := 0
	for i, c := range cases {
		if c.leadID != leadID {
			if herald.ErrorCode(c.err) != herald.ECodeUnknownLead {
				t.Errorf("booking %d with an unknown lead: error %v, want unknown_lead", i, c.err)
			}
			continue
		}
		if c.err != nil {
			t.Errorf("booking %d: %v", i, c.err)
			continue
		}
		booked++
		if len(c.meeting.Reminders) != 3 || c.reminders != 3 || c.jobs != 3 {
			t.Errorf("booking %d answered with %d reminders; %d reminders and %d jobs stored, want 3 each",
				i, len(c.meeting.Reminders), c.reminders, c.jobs)
		}
	}
	page, err := store.ListMeetings(context.Background(), tenantID, herald.MeetingFilter{Page: herald.PageRequest{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != booked {
		t.Errorf("%d meetings stored, want the %d booked", len(page.Items), booked)
	}
}

// Bookings that share a transaction are each answered on their own: a
// booking of an unknown lead is refused alone, the others are booked, and
// each is answered only once its meeting, reminders and jobs are stored.
func TestGroupedBookingsAnswerEachAlone(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		store, tenantID, leadID := groupStore(t, db)
		cases := make([]*bookingCase, 12)
		for i := range cases {
			cases[i] = &bookingCase{leadID: leadID}
			if i%4 == 1 {
				cases[i].leadID = "lead_missing"
			}
		}
		bookHeldGroup(t, store, db, tenantID, cases)
		checkAnswers(t, store, tenantID, leadID, cases)
	})
}

// When a shared transaction fails as a whole, each of its bookings is
// booked again in a transaction of its own: none is lost, none is booked
// twice, and the refused one is still refused alone.
func TestFailedGroupBooksEachAlone(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		store, tenantID, leadID := groupStore(t, db)
		failed := sqlstore.FailSharedCommits(store)
		cases := make([]*bookingCase, 6)
		for i := range cases {
			cases[i] = &bookingCase{leadID: leadID}
		}
		cases[2].leadID = "lead_missing"
		bookHeldGroup(t, store, db, tenantID, cases)
		if failed.Load() != 1 {
			t.Fatalf("%d shared commits, want the group's one", failed.Load())
		}
		checkAnswers(t, store, tenantID, leadID, cases)
	})
}

// A shared transaction whose commit took effect though it reported an
// error (the connection broke after the database committed) is not booked
// again: every booking of the group is answered once and stored once.
func TestGroupCommittedDespiteItsErrorIsNotBookedTwice(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		store, tenantID, leadID := groupStore(t, db)
		lost := sqlstore.LoseCommitAnswers(store)
		cases := make([]*bookingCase, 6)
		for i := range cases {
			cases[i] = &bookingCase{leadID: leadID}
		}
		cases[1].leadID = "lead_missing"
		cases[4].idem = herald.Idempotency{Key: "k", RequestHash: "hk"}
		bookHeldGroup(t, store, db, tenantID, cases)
		if lost.Load() != 1 {
			t.Fatalf("%d shared commits, want the group's one", lost.Load())
		}
		checkAnswers(t, store, tenantID, leadID, cases)
	})
}

// A booking with an Idempotency-Key that fails in a shared transaction
// rolls back its key with it, so the key books when sent again.
func TestGroupedKeyedBookingFailsAlone(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		store, tenantID, leadID := groupStore(t, db)
		cases := []*bookingCase{
			{leadID: leadID, idem: herald.Idempotency{Key: "a", RequestHash: "ha"}},
			{leadID: "lead_missing", idem: herald.Idempotency{Key: "b", RequestHash: "hb"}},
			{leadID: leadID},
		}
		bookHeldGroup(t, store, db, tenantID, cases)
		checkAnswers(t, store, tenantID, leadID, cases)
		again, replayed, err := store.BookMeeting(context.Background(), tenantID, herald.BookMeetingInput{LeadID: leadID,
			Title: "Again", StartsAt: time.Now().Add(96 * time.Hour)}, herald.Idempotency{Key: "b", RequestHash: "hb"})
		if err != nil || replayed || len(again.Reminders) != 3 {
			t.Fatalf("key of the refused booking sent again: replayed %v, %d reminders, error %v; want a new booking",
				replayed, len(again.Reminders), err)
		}
	})
}

// A booking that panics fails alone, with an error, whether in a group or
// alone; the others of its group are booked.
func TestPanickingBookingFailsAlone(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		store, tenantID, leadID := groupStore(t, db)
		var panicked error
		cases := []*bookingCase{{leadID: leadID}, {leadID: leadID}}
		bookHeldGroup(t, store, db, tenantID, cases, func() {
			panicked = sqlstore.BookWork(context.Background(), store, func(*sql.Tx) error { panic("a bug") })
		})
		if panicked == nil || !strings.Contains(panicked.Error(), "a bug") {
			t.Fatalf("the panicking booking answered %v, want an error that names the panic", panicked)
		}
		checkAnswers(t, store, tenantID, leadID, cases)
	})
}
