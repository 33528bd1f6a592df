package schedule

import (
	"math"
	"time"
)

// Capacity is what the channels of a process can take: the sum of its SMS
// accounts' paces, and whether any channel has no pace at all (an SMS
// account without a limit, email, the outbox), which the machine alone
// then bounds.
type Capacity struct {
	// PerSecond is the sum of the paced accounts' limits.
	PerSecond float64
	// Unpaced reports a channel without a pace.
	Unpaced bool
}

// DefaultMaxWorkers bounds the reminders one process works at once when
// REMINDER_BATCH_SIZE does not: enough for a burst to keep the database
// busy, since in a burst a reminder holds its worker for its claim, the
// provider call and its outcome while batches of them queue for the
// database (half a second and more on a 2-core machine), and little
// memory (a waiting worker is a goroutine; herald stays under 100 MiB
// through a burst of 10,000).
const DefaultMaxWorkers = 2000

// minWorkers is the fewest workers a process runs, whatever its pace.
const minWorkers = 50

// slotHold is, beside the send timeout, how long a paced reminder holds its
// worker: its claim, its wait for a slot and the recording of its outcome.
const slotHold = time.Second

// WorkersFor returns how many reminders one process works at once: as many
// as its channels can take while each holds its worker. A channel without
// a pace can take whatever the database keeps up with, so then it is
// upper; paced channels need their pace times the longest a reminder
// holds its worker (the send timeout, plus slotHold), so that a provider
// that slows down to the timeout still gets its full pace. The answer lies
// between 50 and upper (DefaultMaxWorkers when upper is 0).
func WorkersFor(c Capacity, sendTimeout time.Duration, upper int) int {
	if upper <= 0 {
		upper = DefaultMaxWorkers
	}
	if c.Unpaced {
		return upper
	}
	need := math.Ceil(c.PerSecond * (sendTimeout + slotHold).Seconds())
	if need > float64(upper) {
		return upper
	}
	return min(max(int(need), minWorkers), upper)
}
