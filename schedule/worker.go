package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"herald"
	"herald/render"
)

// Templates finds the template a reminder is rendered with for a channel:
// the tenant's own, else the built-in one (catalog.Catalog does that). It is
// called inside the delivery transaction, so it must not query the
// database: on SQLite that transaction holds the only connection. The
// tenant's versions of the reminder's template come loaded in
// st.TemplateOverrides instead. An error fails the reminder with reason
// template_missing and the error's text, which should name the template.
type Templates interface {
	Template(ctx context.Context, st *herald.DeliveryState, channel herald.Channel) (*render.Template, error)
}

// BuiltinTemplates serves the built-in templates only, ignoring the
// tenant's own.
type BuiltinTemplates struct{ Registry *render.Registry }

// Template implements Templates.
func (b BuiltinTemplates) Template(_ context.Context, st *herald.DeliveryState, channel herald.Channel) (*render.Template, error) {
	return b.Registry.Get(st.Reminder.Template, channel)
}

// RetryPolicy spaces the retries of transient failures: the first after
// InitialDelay, each next one Multiplier times longer.
type RetryPolicy struct {
	InitialDelay time.Duration
	Multiplier   float64
}

// Delay returns the wait before retry number n (1 for the first).
func (p RetryPolicy) Delay(n int) time.Duration {
	d := float64(p.InitialDelay)
	for i := 1; i < n; i++ {
		d *= p.Multiplier
	}
	return time.Duration(d)
}

// Deliverer decides and carries out the delivery of one reminder. The
// job engine's worker calls it when a reminder's job is due.
type Deliverer struct {
	Store herald.DeliveryStore
	// SMS and Email send on their channel; nil means the channel is not
	// available, and the channel choice passes over it.
	SMS, Email herald.Sender
	// SMSFrom are the operator's numbers, as NormalizeNumber writes them:
	// the SMS of a tenant without sms_from or accounts of its own go from
	// them, and a phone opted out from one of them gets none. Empty: an
	// opt-out of the phone from any number holds for such a tenant.
	SMSFrom   []string
	Templates Templates
	Clock     herald.Clock
	Logger    *slog.Logger
	Metrics   *Metrics
	// SendTimeout bounds one provider call; a call that takes longer
	// counts as a transient failure.
	SendTimeout time.Duration
	Retry       RetryPolicy
	// OutcomeRetryFor is how long a provider's answer is retried against
	// a database that does not answer before the reminder is left for
	// the next run (which marks it unknown). Defaults to 30 s.
	OutcomeRetryFor time.Duration
	// SenderEmail is the From address the calendar invitation names as
	// organizer.
	SenderEmail string
	// UnknownAfter is how long an unknown reminder waits for a delivery
	// receipt before its tenant's on_unknown setting applies
	// (HERALD_UNKNOWN_AFTER). Defaults to 5 minutes.
	UnknownAfter time.Duration
}

// Defaults of a Deliverer that NewDeliverer fills in.
const (
	// DefaultSendTimeout bounds one provider call.
	DefaultSendTimeout = 10 * time.Second
	// DefaultRetryDelay and DefaultRetryMultiplier are the original
	// system's INITIAL_RETRY_DELAY and RETRY_BACKOFF_MULTIPLIER.
	DefaultRetryDelay      = 60 * time.Second
	DefaultRetryMultiplier = 2.0
)

// NewDeliverer returns d with its defaults filled in, so that no delivery
// runs with a zero send timeout or without a logger: the system clock, a
// logger that discards, DefaultSendTimeout, the retry policy of
// DefaultRetryDelay and DefaultRetryMultiplier, and an OutcomeRetryFor of
// 30 s. Store and Templates may be set afterwards, before the first job.
func NewDeliverer(d Deliverer) *Deliverer {
	if d.Clock == nil {
		d.Clock = herald.SystemClock{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.SendTimeout <= 0 {
		d.SendTimeout = DefaultSendTimeout
	}
	if d.Retry.InitialDelay <= 0 {
		d.Retry.InitialDelay = DefaultRetryDelay
	}
	if d.Retry.Multiplier < 1 {
		d.Retry.Multiplier = DefaultRetryMultiplier
	}
	if d.OutcomeRetryFor <= 0 {
		d.OutcomeRetryFor = defaultOutcomeRetryFor
	}
	return &d
}

// errWait asks the job engine to run the job again after a delay without
// counting an attempt.
type errWait struct{ d time.Duration }

func (e errWait) Error() string { return fmt.Sprintf("wait %v", e.d) }

// Deliver runs one reminder's delivery at the clock's now. It returns nil
// when the reminder needs nothing more from this job, an errWait when it
// must run again later, and any other error when storage failed (the job
// engine then retries the job).
func (d *Deliverer) Deliver(ctx context.Context, tenantID, reminderID string) error {
	var forced herald.Channel
	// slot is the provider slot this job holds, once it has one. It
	// outlives a claim that had to wait for it, and a decision that runs
	// twice (a batch retried alone) does not take a second one.
	var slot *herald.SendSlot
	// Rounds: a claim that waits for its slot, the claim that sends, and
	// a fallback from SMS to email.
	for range 4 {
		var c claimed
		err := d.Store.UpdateDelivery(ctx, tenantID, reminderID, func(st *herald.DeliveryState) error {
			c = d.claim(ctx, st, d.Clock.Now(), forced, &slot)
			return nil
		})
		if herald.ErrorCode(err) == herald.ECodeNotFound {
			d.Logger.WarnContext(ctx, "Reminder no longer exists, nothing to send", "reminder", reminderID, "tenant", tenantID)
			return nil
		}
		if err != nil {
			return err
		}
		if c.wait > 0 {
			return errWait{c.wait}
		}
		if c.turn != nil {
			// Nothing was written: the reminder stays pending while it
			// waits for its turn, and a process that dies now leaves it
			// to be sent by another.
			held, err := d.waitForSlot(ctx, *c.turn)
			if err != nil {
				return err
			}
			slot = &held
			continue
		}
		if c.plan == nil {
			return nil
		}
		outcome := d.send(ctx, c.plan)
		next, err := d.settle(ctx, c.plan, outcome)
		if err != nil {
			return err
		}
		switch {
		case next.fallback:
			forced = herald.ChannelEmail
		case next.wait > 0:
			return errWait{next.wait}
		default:
			return nil
		}
	}
	return nil
}

// waitForSlot waits for a slot of the SMS provider. The wait leaves the
// job time for the send and the recording of its outcome; a wait that
// would not, or that shutdown cuts short, has the job run again later,
// with nothing written.
func (d *Deliverer) waitForSlot(ctx context.Context, turn herald.SendTurn) (herald.SendSlot, error) {
	paced := d.SMS.(herald.PacedSender)
	waitCtx := ctx
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithDeadline(ctx, deadline.Add(-d.SendTimeout-slotMargin))
		defer cancel()
	}
	slot, _, err := paced.HoldSlot(waitCtx, turn, true)
	if err == nil {
		return slot, nil
	}
	var se *herald.SendError
	if errors.As(err, &se) && se.Kind == herald.SendThrottled && se.RetryAfter > 0 {
		return herald.SendSlot{}, errWait{se.RetryAfter}
	}
	if waitCtx.Err() != nil {
		return herald.SendSlot{}, errWait{time.Second}
	}
	return herald.SendSlot{}, fmt.Errorf("wait for a send slot: %w", err)
}

// nothingHandedOver tells whether err says for sure that no provider was
// given the message: the send ended throttled, and each call it lists was
// skipped or throttled (a provider's refusal to take it, or a wait for a
// slot of Herald's own pace).
func nothingHandedOver(err error) bool {
	var se *herald.SendError
	if !errors.As(err, &se) || se.Kind != herald.SendThrottled || len(se.Tried) == 0 {
		return false
	}
	for _, call := range se.Tried {
		if call.Outcome != herald.OutcomeThrottled && call.Outcome != herald.OutcomeSkipped {
			return false
		}
	}
	return true
}

// slotMargin is the part of a job's time kept, beside the send timeout,
// for recording a send's outcome after a wait for its slot.
const slotMargin = 2 * time.Second

// sendOutcome is what a provider call returned.
type sendOutcome struct {
	result   herald.SendResult
	err      error
	duration time.Duration
	// interrupted reports a call cut short by the job's own end
	// (shutdown): whether the provider took the message is not known.
	interrupted bool
}

func (d *Deliverer) send(jobCtx context.Context, plan *sendPlan) sendOutcome {
	ctx, cancel := context.WithTimeout(jobCtx, d.SendTimeout)
	defer cancel()
	start := time.Now()
	var res herald.SendResult
	var err error
	if plan.slot != nil {
		res, err = plan.sender.(herald.PacedSender).SendHeld(ctx, *plan.slot, &plan.message)
	} else {
		res, err = plan.sender.Send(ctx, &plan.message)
	}
	out := sendOutcome{result: res, err: err, duration: time.Since(start)}
	switch kind := herald.SendErrorKindOf(err); {
	case err == nil:
	case jobCtx.Err() != nil:
		// A send cut short while it only waited for a slot handed the
		// message to nobody: it stays to be sent, not unknown.
		out.interrupted = !nothingHandedOver(err)
	case ctx.Err() != nil && kind != herald.SendPermanent && kind != herald.SendUnknown:
		// The calls made are kept: a provider that got the request but
		// did not answer in time is in the attempt's history.
		timedOut := &herald.SendError{Provider: plan.channelName(), Kind: herald.SendTransient,
			Message: fmt.Sprintf("no answer within %v: %v", d.SendTimeout, err)}
		var se *herald.SendError
		if errors.As(err, &se) {
			timedOut.Provider, timedOut.Tried = se.Provider, se.Tried
		}
		out.err = timedOut
	}
	d.Metrics.observeSend(plan, out)
	return out
}

// settle records a send's outcome. The database may be away for a moment
// right after a provider accepted a message; the outcome is then retried
// for a while, since giving up would leave the reminder unknown.
func (d *Deliverer) settle(ctx context.Context, plan *sendPlan, out sendOutcome) (nextStep, error) {
	// The outcome is recorded even when the job's own context was
	// cancelled (job timeout, shutdown) during the call: a message the
	// provider took must not be left looking like a lost send.
	retryFor := d.OutcomeRetryFor
	if retryFor <= 0 {
		retryFor = defaultOutcomeRetryFor
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), retryFor)
	defer cancel()
	var next nextStep
	backoff := 100 * time.Millisecond
	for {
		err := d.Store.UpdateDelivery(ctx, plan.tenantID, plan.reminderID, func(st *herald.DeliveryState) error {
			next = d.record(ctx, st, plan, out, d.Clock.Now())
			return nil
		})
		if err == nil || herald.ErrorCode(err) == herald.ECodeNotFound {
			return next, nil
		}
		d.Logger.WarnContext(ctx, "Could not record a send outcome, retrying", "reminder", plan.reminderID, "error", err)
		select {
		case <-ctx.Done():
			return next, err
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// defaultOutcomeRetryFor bounds how long an outcome is retried against a
// database that went away.
const defaultOutcomeRetryFor = 30 * time.Second

// ReminderWorker is the job engine's worker of reminder jobs.
type ReminderWorker struct {
	river.WorkerDefaults[ReminderArgs]
	Deliverer *Deliverer
	pickups   pickups
}

// Work delivers the job's reminder.
func (w *ReminderWorker) Work(ctx context.Context, job *river.Job[ReminderArgs]) error {
	w.pickups.n.Add(1)
	err := w.Deliverer.Deliver(ctx, job.Args.TenantID, job.Args.ReminderID)
	var wait errWait
	if errors.As(err, &wait) {
		return river.JobSnooze(wait.d)
	}
	return err
}
