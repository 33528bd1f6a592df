package main

import (
	"context"
	"fmt"
	"time"

	"herald"
	"herald/sqlstore"
	"herald/vonage"
	"herald/vonage/vonagetest"
)

// originalDesign is the Python worker Herald replaces, rebuilt in this
// process over a table of its own: every Poll it selects up to Batch due
// pending reminders, oldest first, and sends them one at a time, marking
// each sent and writing an audit row after its provider call; then it
// sleeps Poll again (asyncio.sleep after the scan, as the original did).
type originalDesign struct {
	Poll  time.Duration
	Batch int
	// Phase is how long after the burst's due instant its first scan
	// runs: half a poll, the mean wait of a reminder for the next scan.
	Phase time.Duration
}

// originalSchema is the original system's reminders table with the columns
// its worker reads and writes, and its audit table.
var originalSchema = map[string][]string{
	kindPostgres: {
		`CREATE TABLE original_reminders (id text PRIMARY KEY, phone text NOT NULL, body text NOT NULL,
			scheduled_at timestamptz NOT NULL, status text NOT NULL, sent_at timestamptz,
			external_message_id text NOT NULL DEFAULT '', attempts integer NOT NULL DEFAULT 0)`,
		`CREATE INDEX idx_original_reminders_pending_due ON original_reminders (scheduled_at) WHERE status = 'pending'`,
		`CREATE TABLE original_actions (id bigserial PRIMARY KEY, reminder_id text NOT NULL, action text NOT NULL,
			detail text NOT NULL, created_at timestamptz NOT NULL)`,
	},
	kindSQLite: {
		`CREATE TABLE original_reminders (id text PRIMARY KEY, phone text NOT NULL, body text NOT NULL,
			scheduled_at text NOT NULL, status text NOT NULL, sent_at text,
			external_message_id text NOT NULL DEFAULT '', attempts integer NOT NULL DEFAULT 0)`,
		`CREATE INDEX idx_original_reminders_pending_due ON original_reminders (scheduled_at) WHERE status = 'pending'`,
		`CREATE TABLE original_actions (id integer PRIMARY KEY, reminder_id text NOT NULL, action text NOT NULL,
			detail text NOT NULL, created_at text NOT NULL)`,
	},
}

// originalMeasured is what the original design did within its window.
type originalMeasured struct {
	Window   time.Duration
	Scans    int
	Sent     int
	Lateness spread
	// SendTime is the mean time of one send and its two writes.
	SendTime time.Duration
}

// runOriginal fills the original table with n reminders due phase before
// the first scan, runs the poller for window, and measures what it sent
// through the fake provider's receipt times.
func (o originalDesign) run(ctx context.Context, db *sqlstore.DB, fake *fakeSMS, n int, window time.Duration) (originalMeasured, error) {
	for _, stmt := range originalSchema[db.Name()] {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return originalMeasured{}, fmt.Errorf("original design: %w", err)
		}
	}
	due := time.Now().Add(-o.Phase).Truncate(time.Millisecond)
	if _, err := db.ExecContext(ctx, originalFill[db.Name()], n, heraldTime(due)); err != nil {
		return originalMeasured{}, fmt.Errorf("original design: fill: %w", err)
	}
	sms, err := vonage.New(vonage.Config{BaseURL: fake.srv.URL, APIKey: vonagetest.APIKey,
		APISecret: vonagetest.APISecret, From: vonagetest.From})
	if err != nil {
		return originalMeasured{}, err
	}
	mark := fake.count()
	res := originalMeasured{Window: window}
	var sending time.Duration
	stop := time.Now().Add(window)
	for time.Now().Before(stop) {
		res.Scans++
		began := time.Now()
		sent, err := o.scan(ctx, db, sms, stop)
		if err != nil {
			return res, err
		}
		res.Sent += sent
		sending += time.Since(began)
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(min(o.Poll, time.Until(stop))):
		}
	}
	if res.Sent > 0 {
		res.SendTime = sending / time.Duration(res.Sent)
	}
	var lateness []time.Duration
	for _, rc := range fake.since(mark) {
		lateness = append(lateness, rc.at.Sub(due))
	}
	res.Lateness = spreadOf(lateness)
	return res, nil
}

// originalFill writes n pending reminders due at one instant.
var originalFill = map[string]string{
	kindPostgres: `INSERT INTO original_reminders (id, phone, body, scheduled_at, status)
		SELECT 'orig_' || g, '+1' || (3000000000 + g), 'Hi Lead ' || g || ', your meeting "Demo" starts in 1 hour at 2:00 PM.',
			$2::timestamptz, 'pending' FROM generate_series(1, $1::int) AS g`,
	kindSQLite: `WITH RECURSIVE seq (g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < $1)
		INSERT INTO original_reminders (id, phone, body, scheduled_at, status)
		SELECT 'orig_' || g, '+1' || (3000000000 + g), 'Hi Lead ' || g || ', your meeting "Demo" starts in 1 hour at 2:00 PM.',
			$2, 'pending' FROM seq`,
}

// scan is one pass of the original worker: select a batch of due
// reminders, send each in turn, record each outcome. It stops early at
// stop, as the benchmark's window closes.
func (o originalDesign) scan(ctx context.Context, db *sqlstore.DB, sms *vonage.Client, stop time.Time) (int, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, phone, body FROM original_reminders
		WHERE status = 'pending' AND scheduled_at <= $1 ORDER BY scheduled_at LIMIT $2`, heraldTime(time.Now()), o.Batch)
	if err != nil {
		return 0, fmt.Errorf("original design: scan: %w", err)
	}
	type due struct{ id, phone, body string }
	var batch []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.phone, &d.body); err != nil {
			rows.Close()
			return 0, err
		}
		batch = append(batch, d)
	}
	rows.Close()
	sent := 0
	for _, d := range batch {
		if time.Now().After(stop) {
			break
		}
		res, err := sms.Send(ctx, &herald.Message{Reference: d.id, To: d.phone, Channel: herald.ChannelSMS, Text: d.body})
		status, detail := "sent", res.MessageID
		if err != nil {
			status, detail = "failed", err.Error()
		}
		now := heraldTime(time.Now())
		if _, err := db.ExecContext(ctx, `UPDATE original_reminders SET status = $1, sent_at = $2, external_message_id = $3,
			attempts = attempts + 1 WHERE id = $4`, status, now, res.MessageID, d.id); err != nil {
			return sent, err
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO original_actions (reminder_id, action, detail, created_at)
			VALUES ($1, $2, $3, $4)`, d.id, "reminder."+status, detail, now); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// originalModel is the original design's behaviour on a whole workload,
// worked out from its scan schedule and the send time measured here: what
// the window could not run to the end.
type originalModel struct {
	Drain    time.Duration
	Lateness spread
}

// simulate plays the scan schedule over reminders due at the given
// offsets (sorted, from the first due instant): the first scan runs Phase
// after the first due instant; each takes up to Batch due reminders,
// oldest first, and hands them over one every sendTime; the next scan
// starts Poll after the last send.
func (o originalDesign) simulate(dues []time.Duration, sendTime time.Duration) originalModel {
	lateness := make([]time.Duration, 0, len(dues))
	scan := o.Phase
	next := 0
	var last time.Duration
	for next < len(dues) {
		if dues[next] > scan {
			// Nothing due: the scan finds nothing, sleeps and looks again.
			scan += o.Poll
			continue
		}
		taken := 0
		for next < len(dues) && taken < o.Batch && dues[next] <= scan {
			handOver := scan + time.Duration(taken)*sendTime
			lateness = append(lateness, handOver-dues[next])
			last = handOver
			next++
			taken++
		}
		scan += time.Duration(taken)*sendTime + o.Poll
	}
	return originalModel{Drain: last, Lateness: spreadOf(lateness)}
}

// throughput is the most the design can send per second: Batch per scan,
// one scan per Poll plus the time to send the batch.
func (o originalDesign) throughput(sendTime time.Duration) float64 {
	cycle := o.Poll + time.Duration(o.Batch)*sendTime
	return float64(o.Batch) / cycle.Seconds()
}

// evenlyDue returns the due offsets of n reminders, perSecond of them each
// second (all at zero when perSecond is 0).
func evenlyDue(n int, perSecond float64) []time.Duration {
	dues := make([]time.Duration, n)
	if perSecond > 0 {
		for i := range dues {
			dues[i] = time.Duration(float64(i) / perSecond * float64(time.Second))
		}
	}
	return dues
}
