package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"herald"
)

var _ herald.EventDeliveryStore = (*Store)(nil)

const eventColumns = "seq, id, tenant_id, type, object_id, data, created_at"

func scanEvent(row interface{ Scan(...any) error }) (int64, herald.Event, error) {
	var (
		seq      int64
		e        herald.Event
		typ, raw string
	)
	err := row.Scan(&seq, &e.ID, &e.TenantID, &typ, &e.ObjectID, &raw, scanTime(&e.CreatedAt))
	e.Type, e.Data, e.Deliveries = herald.EventType(typ), []byte(raw), []herald.EventDelivery{}
	return seq, e, err
}

// Events are listed by their sequence number, newest first; the cursor is
// the number of the last event of a page.
func encodeSeqCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("seq|" + strconv.FormatInt(seq, 10)))
}

func decodeSeqCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	bad := herald.FieldErrorf(herald.ECodeInvalidCursor, "cursor", "cursor is not one this server returned")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, bad
	}
	num, ok := strings.CutPrefix(string(raw), "seq|")
	seq, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || seq <= 0 {
		return 0, bad
	}
	return seq, nil
}

// ListEvents lists a tenant's events, newest first, each with its
// deliveries and their attempts.
func (s *Store) ListEvents(ctx context.Context, tenantID string, f herald.EventFilter) (herald.Page[herald.Event], error) {
	before, err := decodeSeqCursor(f.Page.Cursor)
	if err != nil {
		return herald.Page[herald.Event]{}, err
	}
	where, args := []string{"tenant_id = $1"}, []any{tenantID}
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Type != "" {
		add("type = ?", string(f.Type))
	}
	if f.ObjectID != "" {
		add("object_id = ?", f.ObjectID)
	}
	if before > 0 {
		add("seq < ?", before)
	}
	limit := pageLimit(f.Page)
	rows, err := s.db.QueryContext(ctx, "SELECT "+eventColumns+" FROM events WHERE "+strings.Join(where, " AND ")+
		" ORDER BY seq DESC LIMIT "+strconv.Itoa(limit+1), args...)
	if err != nil {
		return herald.Page[herald.Event]{}, fmt.Errorf("list events: %w", err)
	}
	items := []herald.Event{}
	var seqs []int64
	for rows.Next() {
		seq, e, err := scanEvent(rows)
		if err != nil {
			rows.Close()
			return herald.Page[herald.Event]{}, fmt.Errorf("list events: %w", err)
		}
		items, seqs = append(items, e), append(seqs, seq)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return herald.Page[herald.Event]{}, fmt.Errorf("list events: %w", err)
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = encodeSeqCursor(seqs[limit-1])
	}
	if err := loadDeliveriesOf(ctx, s.db, tenantID, items); err != nil {
		return herald.Page[herald.Event]{}, err
	}
	return herald.Page[herald.Event]{Items: items, NextCursor: next}, nil
}

// Event returns one event of a tenant with its deliveries.
func (s *Store) Event(ctx context.Context, tenantID, id string) (herald.Event, error) {
	e, err := loadEvent(ctx, s.db, tenantID, id)
	if err != nil {
		return herald.Event{}, err
	}
	events := []herald.Event{e}
	if err := loadDeliveriesOf(ctx, s.db, tenantID, events); err != nil {
		return herald.Event{}, err
	}
	return events[0], nil
}

func loadEvent(ctx context.Context, q queryer, tenantID, id string) (herald.Event, error) {
	_, e, err := scanEvent(q.QueryRowContext(ctx, "SELECT "+eventColumns+" FROM events WHERE tenant_id = $1 AND id = $2",
		tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return herald.Event{}, errNotFound("event")
	}
	if err != nil {
		return herald.Event{}, fmt.Errorf("load event: %w", err)
	}
	return e, nil
}

const deliveryColumns = `id, tenant_id, event_id, endpoint_id, status, attempts, round_attempts, next_attempt_at,
	last_error, job_id, delivered_at, created_at, updated_at`

func scanDelivery(row interface{ Scan(...any) error }) (herald.EventDelivery, error) {
	var d herald.EventDelivery
	err := row.Scan(&d.ID, &d.TenantID, &d.EventID, &d.EndpointID, &d.Status, &d.Attempts, &d.RoundAttempts,
		scanNullTime(&d.NextAttemptAt), &d.LastError, &d.JobID, scanNullTime(&d.DeliveredAt), scanTime(&d.CreatedAt),
		scanTime(&d.UpdatedAt))
	d.History = []herald.EventAttempt{}
	return d, err
}

// loadDeliveriesOf fills the deliveries of events, with their attempts.
func loadDeliveriesOf(ctx context.Context, q queryer, tenantID string, events []herald.Event) error {
	if len(events) == 0 {
		return nil
	}
	args := []any{tenantID}
	for _, e := range events {
		args = append(args, e.ID)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+deliveryColumns+" FROM event_deliveries WHERE tenant_id = $1 AND event_id IN ("+
		placeholders(2, len(events))+") ORDER BY created_at, id", args...)
	if err != nil {
		return fmt.Errorf("load event deliveries: %w", err)
	}
	var deliveries []herald.EventDelivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("load event deliveries: %w", err)
		}
		deliveries = append(deliveries, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load event deliveries: %w", err)
	}
	if len(deliveries) == 0 {
		return nil
	}
	ids := []any{tenantID}
	byID := map[string]int{}
	for i, d := range deliveries {
		ids = append(ids, d.ID)
		byID[d.ID] = i
	}
	rows, err = q.QueryContext(ctx, `SELECT delivery_id, number, status_code, error, response, started_at, duration_ms
		FROM event_attempts WHERE tenant_id = $1 AND delivery_id IN (`+placeholders(2, len(deliveries))+`)
		ORDER BY delivery_id, number`, ids...)
	if err != nil {
		return fmt.Errorf("load event attempts: %w", err)
	}
	for rows.Next() {
		var id string
		var a herald.EventAttempt
		if err := rows.Scan(&id, &a.Number, &a.StatusCode, &a.Error, &a.Response, scanTime(&a.StartedAt),
			&a.DurationMS); err != nil {
			rows.Close()
			return fmt.Errorf("load event attempts: %w", err)
		}
		d := &deliveries[byID[id]]
		d.History = append(d.History, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load event attempts: %w", err)
	}
	byEvent := map[string]int{}
	for i, e := range events {
		byEvent[e.ID] = i
	}
	for _, d := range deliveries {
		e := &events[byEvent[d.EventID]]
		e.Deliveries = append(e.Deliveries, d)
	}
	return nil
}

// RedeliverEvent starts the event's delivery again, with a fresh retry
// schedule, to every enabled endpoint that takes its type. A delivery
// still under way is left to run.
func (s *Store) RedeliverEvent(ctx context.Context, tenantID, id string) (herald.Event, error) {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		e, err := loadEvent(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		endpoints, err := enabledEndpoints(ctx, tx, []any{tenantID})
		if err != nil {
			return err
		}
		existing := []herald.Event{e}
		if err := loadDeliveriesOf(ctx, tx, tenantID, existing); err != nil {
			return err
		}
		byEndpoint := map[string]herald.EventDelivery{}
		for _, d := range existing[0].Deliveries {
			byEndpoint[d.EndpointID] = d
		}
		now := s.now()
		var fresh, again []*herald.EventDelivery
		for _, ep := range endpoints[tenantID] {
			if !ep.Wants(e.Type) {
				continue
			}
			d, ok := byEndpoint[ep.ID]
			switch {
			case !ok:
				fresh = append(fresh, &herald.EventDelivery{ID: herald.NewID("dlv_"), TenantID: tenantID, EventID: e.ID,
					EndpointID: ep.ID, Status: herald.EventDeliveryPending, CreatedAt: now, UpdatedAt: now})
			case d.Status != herald.EventDeliveryPending:
				d.Status, d.RoundAttempts, d.NextAttemptAt, d.UpdatedAt = herald.EventDeliveryPending, 0, nil, now
				again = append(again, &d)
			}
		}
		if err := s.startDeliveries(ctx, tx, fresh); err != nil {
			return err
		}
		if len(again) > 0 && s.events != nil {
			if err := s.events.ScheduleEventDeliveries(ctx, tx, again); err != nil {
				return fmt.Errorf("schedule event deliveries: %w", err)
			}
			for _, d := range again {
				if _, err := tx.ExecContext(ctx, `UPDATE event_deliveries SET status = $1, round_attempts = 0,
					next_attempt_at = NULL, job_id = $2, updated_at = $3 WHERE tenant_id = $4 AND id = $5`,
					d.Status, d.JobID, ts(now), tenantID, d.ID); err != nil {
					return fmt.Errorf("restart delivery %s: %w", d.ID, err)
				}
			}
		}
		return writeAudit(ctx, tx, herald.AuditAction{TenantID: tenantID, Action: herald.ActionEventRedelivered,
			EntityType: herald.EntityEvent, EntityID: id, Outcome: "ok",
			Detail: fmt.Sprintf("%d deliveries started", len(fresh)+len(again)), At: now})
	})
	if err != nil {
		return herald.Event{}, fmt.Errorf("redeliver event: %w", err)
	}
	return s.Event(ctx, tenantID, id)
}

// earlierFirstWindow bounds how long a delivery waits for an earlier event
// of its object: a delivery planned that long ago and never tried is not
// waited for.
const earlierFirstWindow = time.Minute

// LoadEventDelivery reads a delivery with its event and endpoint, and
// whether an earlier event of the same object still waits for its first
// try to the same endpoint.
func (s *Store) LoadEventDelivery(ctx context.Context, tenantID, deliveryID string) (*herald.EventDeliveryState, error) {
	st, err := s.loadEventDelivery(ctx, s.db, tenantID, deliveryID, "")
	if err != nil || st.Delivery.Status != herald.EventDeliveryPending {
		return st, err
	}
	var disabledAt *time.Time
	if err := s.db.QueryRowContext(ctx, "SELECT disabled_at FROM tenants WHERE id = $1", tenantID).
		Scan(scanNullTime(&disabledAt)); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("load event delivery: %w", err)
	}
	if st.TenantDisabled = disabledAt != nil; st.TenantDisabled || st.Delivery.Attempts > 0 {
		return st, nil
	}
	err = s.db.QueryRowContext(ctx, `SELECT 1 FROM event_deliveries d
		JOIN events e ON e.tenant_id = d.tenant_id AND e.id = d.event_id
		WHERE d.tenant_id = $1 AND d.endpoint_id = $2 AND d.status = $3 AND d.attempts = 0 AND d.created_at > $4
			AND e.object_id = $5 AND e.seq < (SELECT seq FROM events WHERE tenant_id = $1 AND id = $6)
		LIMIT 1`, tenantID, st.Delivery.EndpointID, herald.EventDeliveryPending,
		ts(s.now().Add(-earlierFirstWindow)), st.Event.ObjectID, st.Event.ID).Scan(new(int))
	switch {
	case err == nil:
		st.EarlierFirst = true
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("load event delivery: %w", err)
	}
	return st, nil
}

func (s *Store) loadEventDelivery(ctx context.Context, q queryer, tenantID, deliveryID, lock string) (*herald.EventDeliveryState, error) {
	d, err := scanDelivery(q.QueryRowContext(ctx, "SELECT "+deliveryColumns+
		" FROM event_deliveries WHERE tenant_id = $1 AND id = $2"+lock, tenantID, deliveryID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound("event delivery")
	}
	if err != nil {
		return nil, fmt.Errorf("load event delivery: %w", err)
	}
	st := &herald.EventDeliveryState{Delivery: d}
	if st.Event, err = loadEvent(ctx, q, tenantID, d.EventID); err != nil {
		return nil, err
	}
	ep, err := loadEndpoint(ctx, q, tenantID, d.EndpointID, "")
	switch {
	case err == nil:
		st.Endpoint = &ep
	case herald.ErrorCode(err) != herald.ECodeNotFound:
		return nil, err
	}
	return st, nil
}

// UpdateEventDelivery loads and locks a delivery, lets decide change it,
// and saves the attempt, the delivery and a disabled endpoint together.
func (s *Store) UpdateEventDelivery(ctx context.Context, tenantID, deliveryID string, decide func(*herald.EventDeliveryState) error) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		st, err := s.loadEventDelivery(ctx, tx, tenantID, deliveryID, s.db.dialect.forUpdate)
		if err != nil {
			return err
		}
		if err := decide(st); err != nil {
			return err
		}
		now := s.now()
		d := st.Delivery
		if a := st.NewAttempt; a != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO event_attempts (id, tenant_id, delivery_id, number, status_code,
				error, response, started_at, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				herald.NewID("eat_"), tenantID, deliveryID, a.Number, a.StatusCode, a.Error, a.Response,
				ts(a.StartedAt), a.DurationMS); err != nil {
				return fmt.Errorf("store event attempt: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE event_deliveries SET status = $1, attempts = $2, round_attempts = $3,
			next_attempt_at = $4, last_error = $5, delivered_at = $6, updated_at = $7 WHERE tenant_id = $8 AND id = $9`,
			d.Status, d.Attempts, d.RoundAttempts, tsPtr(d.NextAttemptAt), d.LastError, tsPtr(d.DeliveredAt), ts(now),
			tenantID, deliveryID); err != nil {
			return fmt.Errorf("save event delivery: %w", err)
		}
		if st.DisableEndpoint != "" && st.Endpoint != nil && st.Endpoint.DisabledAt == nil {
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET disabled_at = $1, disabled_reason = $2,
				updated_at = $1 WHERE tenant_id = $3 AND id = $4`, ts(now), st.DisableEndpoint, tenantID,
				st.Endpoint.ID); err != nil {
				return fmt.Errorf("disable webhook endpoint: %w", err)
			}
			return writeAudit(ctx, tx, herald.AuditAction{TenantID: tenantID, Action: herald.ActionEndpointDisabled,
				EntityType: herald.EntityEndpoint, EntityID: st.Endpoint.ID, Outcome: "disabled",
				Detail: st.DisableEndpoint, At: now})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update event delivery %s: %w", deliveryID, err)
	}
	return nil
}
