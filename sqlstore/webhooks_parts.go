package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"herald"
)

// inboundRetention is how long the parts of an incomplete message are
// kept: Vonage stops resending an inbound SMS after 24 hours.
const inboundRetention = 24 * time.Hour

// addPart stores one part of a multi-part SMS. It returns the whole text
// once the last part is in, else a result: waiting for more parts, or
// duplicate for a part seen before or of a message already complete.
func (s *Store) addPart(ctx context.Context, tx *sql.Tx, msg herald.InboundSMS, at time.Time) (string, string, error) {
	p := msg.Part
	group := []any{msg.Provider, msg.From, msg.To, p.Ref}
	const where = " WHERE provider = $1 AND sender = $2 AND recipient = $3 AND concat_ref = $4"
	res, err := tx.ExecContext(ctx, `INSERT INTO inbound_messages (provider, sender, recipient, concat_ref, total, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (provider, sender, recipient, concat_ref) DO NOTHING`,
		append(group, p.Total, ts(at))...)
	if err != nil {
		return "", "", fmt.Errorf("store message part: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		if err := forgetIncomplete(ctx, tx, at.Add(-inboundRetention)); err != nil {
			return "", "", err
		}
	}
	// Locking the message row serialises its parts on PostgreSQL, so the
	// last two parts arriving together cannot both miss the other.
	var total int
	var completed *time.Time
	if err := tx.QueryRowContext(ctx, "SELECT total, completed_at FROM inbound_messages"+where+s.db.dialect.forUpdate,
		group...).Scan(&total, scanNullTime(&completed)); err != nil {
		return "", "", fmt.Errorf("load message: %w", err)
	}
	if completed != nil || p.Number > total {
		return "", herald.InboundDuplicate, nil
	}
	res, err = tx.ExecContext(ctx, `INSERT INTO inbound_parts (provider, sender, recipient, concat_ref, part, body, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (provider, sender, recipient, concat_ref, part) DO NOTHING`,
		append(group, p.Number, msg.Text, ts(at))...)
	if err != nil {
		return "", "", fmt.Errorf("store message part: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", herald.InboundDuplicate, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT body FROM inbound_parts"+where+" ORDER BY part", group...)
	if err != nil {
		return "", "", fmt.Errorf("load message parts: %w", err)
	}
	var parts []string
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			rows.Close()
			return "", "", fmt.Errorf("load message parts: %w", err)
		}
		parts = append(parts, body)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", "", fmt.Errorf("load message parts: %w", err)
	}
	if len(parts) < total {
		return "", herald.InboundWaiting, nil
	}
	if _, err := tx.ExecContext(ctx, "UPDATE inbound_messages SET completed_at = $5"+where, append(group, ts(at))...); err != nil {
		return "", "", fmt.Errorf("complete message: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM inbound_parts"+where, group...); err != nil {
		return "", "", fmt.Errorf("complete message: %w", err)
	}
	return strings.Join(parts, ""), "", nil
}

// forgetIncomplete removes the messages, and their parts, begun before
// cutoff: a message never completed by then never will be.
func forgetIncomplete(ctx context.Context, tx *sql.Tx, cutoff time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM inbound_parts WHERE (provider, sender, recipient, concat_ref) IN
		(SELECT provider, sender, recipient, concat_ref FROM inbound_messages WHERE created_at < $1)`, ts(cutoff)); err != nil {
		return fmt.Errorf("forget old message parts: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM inbound_messages WHERE created_at < $1", ts(cutoff)); err != nil {
		return fmt.Errorf("forget old messages: %w", err)
	}
	return nil
}
