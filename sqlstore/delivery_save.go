package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"herald"
)

// savedDelivery is a state after decide, with its reminder as loaded.
type savedDelivery struct {
	st     *herald.DeliveryState
	before herald.Reminder
}

// saveDeliveries writes what decide changed in each state with one
// statement per kind of change for all of them: the changed reminders,
// the new attempts, the finished attempts and the audit actions. A batch
// of claims or outcomes then costs four statements, not four per
// reminder.
func (s *Store) saveDeliveries(ctx context.Context, tx *sql.Tx, saves []savedDelivery) error {
	var reminders []*herald.Reminder
	var started, finished []*herald.Attempt
	var owners, finishedOwners []*herald.Reminder
	var audit []herald.AuditAction
	var events []herald.Event
	for _, sv := range saves {
		st, r := sv.st, &sv.st.Reminder
		if changed(*r, sv.before) {
			r.UpdatedAt = s.now()
			reminders = append(reminders, r)
		}
		if st.NewAttempt != nil {
			started, owners = append(started, st.NewAttempt), append(owners, r)
		}
		if st.FinishedAttempt != nil {
			finished, finishedOwners = append(finished, st.FinishedAttempt), append(finishedOwners, r)
		}
		if st.OptOut != nil {
			if _, err := s.recordOptOut(ctx, tx, *st.OptOut); err != nil {
				return err
			}
		}
		audit = append(audit, st.Audit...)
		events = append(events, reminderEvents(&sv.before, r, r.UpdatedAt)...)
	}
	if err := s.updateReminders(ctx, tx, reminders); err != nil {
		return fmt.Errorf("save reminders: %w", err)
	}
	if err := insertAttempts(ctx, tx, started, owners); err != nil {
		return fmt.Errorf("insert attempts: %w", err)
	}
	if err := s.finishAttempts(ctx, tx, finished, finishedOwners); err != nil {
		return fmt.Errorf("finish attempts: %w", err)
	}
	if err := writeAudit(ctx, tx, audit...); err != nil {
		return err
	}
	return s.writeEvents(ctx, tx, events...)
}

// valuesList is a VALUES list under construction: rows of $n
// placeholders, with wrap applied to some columns (casts).
type valuesList struct {
	b    strings.Builder
	args []any
}

// row adds one row; wrap[i], when not empty, is a format for column i.
func (v *valuesList) row(wrap map[int]string, values ...any) {
	if len(v.args) > 0 {
		v.b.WriteString(", ")
	}
	v.b.WriteString("(")
	for i, val := range values {
		v.args = append(v.args, val)
		p := "$" + strconv.Itoa(len(v.args))
		if f := wrap[i]; f != "" {
			p = fmt.Sprintf(f, p)
		}
		if i > 0 {
			v.b.WriteString(", ")
		}
		v.b.WriteString(p)
	}
	v.b.WriteString(")")
}

// updateReminders writes the worker's fields of reminders in one
// UPDATE … FROM (VALUES …). Every value travels as text: PostgreSQL types
// an untyped VALUES column as text, so the casts of the SET list (and the
// dialect's for times) give each its column's type.
func (s *Store) updateReminders(ctx context.Context, tx *sql.Tx, reminders []*herald.Reminder) error {
	if len(reminders) == 0 {
		return nil
	}
	t := s.db.dialect.timeArg
	var v valuesList
	// A reminder repeated by the padding joins twice, with the same
	// values: it is updated once.
	for _, r := range padded(reminders) {
		v.row(map[int]string{7: t, 11: t, 13: t}, r.TenantID, r.ID, r.Status, r.Reason, r.Channel, r.Provider,
			strconv.Itoa(r.Attempts), tsPtr(r.NextRetryAt), r.LastError, r.ExternalMessageID, r.DeliveryStatus,
			tsPtr(r.SentAt), strconv.FormatInt(r.JobID, 10), ts(r.UpdatedAt))
	}
	_, err := tx.ExecContext(ctx, `UPDATE reminders SET status = v.column3, reason = v.column4, channel = v.column5,
		provider = v.column6, attempts = CAST(v.column7 AS integer), next_retry_at = v.column8, last_error = v.column9,
		external_message_id = v.column10, delivery_status = v.column11, sent_at = v.column12,
		job_id = CAST(v.column13 AS bigint), updated_at = v.column14
		FROM (VALUES `+v.b.String()+`) AS v
		WHERE reminders.tenant_id = v.column1 AND reminders.id = v.column2`, v.args...)
	return err
}

// insertAttempts inserts attempts, owners[i] being the reminder of
// attempts[i], with one statement for each part of a fixed size.
func insertAttempts(ctx context.Context, tx *sql.Tx, attempts []*herald.Attempt, owners []*herald.Reminder) error {
	for _, part := range inParts(attempts) {
		if err := insertAttemptsPart(ctx, tx, part, owners[:len(part)]); err != nil {
			return err
		}
		owners = owners[len(part):]
	}
	return nil
}

// insertAttemptsPart inserts attempts in one statement.
func insertAttemptsPart(ctx context.Context, tx *sql.Tx, attempts []*herald.Attempt, owners []*herald.Reminder) error {
	var v valuesList
	for i, a := range attempts {
		calls, _ := json.Marshal(nonNilCalls(a.Calls))
		v.row(nil, a.ID, owners[i].TenantID, owners[i].ID, a.Number, a.Channel, a.Provider, a.Reference, a.Outcome,
			a.Error, a.ProviderMessageID, string(calls), ts(a.StartedAt), tsPtr(a.FinishedAt), a.Recipient, a.Sender)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO attempts (id, tenant_id, reminder_id, number, channel, provider,
		reference, outcome, error, provider_message_id, calls, started_at, finished_at, recipient, sender)
		VALUES `+v.b.String(), v.args...)
	return err
}

// finishAttempts writes the outcome of attempts, owners[i] being the
// reminder of attempts[i], in one UPDATE … FROM (VALUES …).
func (s *Store) finishAttempts(ctx context.Context, tx *sql.Tx, attempts []*herald.Attempt, owners []*herald.Reminder) error {
	if len(attempts) == 0 {
		return nil
	}
	var v valuesList
	owners = padded(owners)
	for i, a := range padded(attempts) {
		calls, _ := json.Marshal(nonNilCalls(a.Calls))
		v.row(map[int]string{8: s.db.dialect.timeArg}, owners[i].TenantID, a.ID, a.Channel, a.Provider, a.Outcome,
			a.Error, a.ProviderMessageID, string(calls), tsPtr(a.FinishedAt), a.Sender)
	}
	_, err := tx.ExecContext(ctx, `UPDATE attempts SET channel = v.column3, provider = v.column4, outcome = v.column5,
		error = v.column6, provider_message_id = v.column7, calls = v.column8, finished_at = v.column9,
		sender = v.column10
		FROM (VALUES `+v.b.String()+`) AS v
		WHERE attempts.tenant_id = v.column1 AND attempts.id = v.column2`, v.args...)
	return err
}
