package schedule

import (
	"database/sql"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
)

// NewInsertClient returns a River client that only inserts and deletes
// jobs, for processes (and tests) that plan reminders but do not send them.
func NewInsertClient(driver riverdriver.Driver[*sql.Tx]) (*river.Client[*sql.Tx], error) {
	client, err := river.NewClient(driver, &river.Config{})
	if err != nil {
		return nil, fmt.Errorf("job engine: %w", err)
	}
	return client, nil
}
