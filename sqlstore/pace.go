package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SendPace reserves provider accounts' send slots in the database, so that
// every process on one PostgreSQL keeps one pace per account. Each
// reservation is one short statement on the account's row, outside any
// transaction: the row is locked only while the statement runs. Slot
// times come from the database's clock and are turned into a wait at
// once, so clocks that differ between machines do not matter.
type SendPace struct{ db *DB }

// SendPace returns the database's slot source, or nil on SQLite, where one
// process holds the pace in memory.
func (db *DB) SendPace() *SendPace {
	if db.dialect.singleProcess {
		return nil
	}
	return &SendPace{db: db}
}

// Reserve takes the account's next slot, spacing after the one before or
// now if that has passed, and returns how long from now until it comes.
func (p *SendPace) Reserve(ctx context.Context, account string, spacing time.Duration) (time.Duration, error) {
	var secs float64
	err := p.db.QueryRowContext(ctx, `INSERT INTO send_pace AS p (account, next_slot)
		VALUES ($1, clock_timestamp() + $2::bigint * interval '1 microsecond')
		ON CONFLICT (account) DO UPDATE
		SET next_slot = GREATEST(p.next_slot, clock_timestamp()) + $2::bigint * interval '1 microsecond'
		RETURNING EXTRACT(EPOCH FROM (p.next_slot - $2::bigint * interval '1 microsecond' - clock_timestamp()))::float8`,
		account, spacing.Microseconds()).Scan(&secs)
	if err != nil {
		return 0, fmt.Errorf("reserve send slot: %w", err)
	}
	return max(time.Duration(secs*float64(time.Second)), 0), nil
}

// Pause moves the account's next slot to at least d from now.
func (p *SendPace) Pause(ctx context.Context, account string, d time.Duration) error {
	if d <= 0 {
		return errors.New("pause: not a positive duration")
	}
	_, err := p.db.ExecContext(ctx, `INSERT INTO send_pace AS p (account, next_slot)
		VALUES ($1, clock_timestamp() + $2::bigint * interval '1 microsecond')
		ON CONFLICT (account) DO UPDATE
		SET next_slot = GREATEST(p.next_slot, clock_timestamp() + $2::bigint * interval '1 microsecond')`,
		account, d.Microseconds())
	if err != nil {
		return fmt.Errorf("pause sends: %w", err)
	}
	return nil
}
