package herald_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"herald"
)

type sqlStateError string

func (e sqlStateError) Error() string    { return "pg: " + string(e) }
func (e sqlStateError) SQLState() string { return string(e) }

func TestErrorCodeOfAnAbsentDatabase(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED},
		fmt.Errorf("tenant by key: %w", io.ErrUnexpectedEOF),
		driver.ErrBadConn,
		context.DeadlineExceeded,
		sqlStateError("08006"),
		sqlStateError("57P01"),
	} {
		if code := herald.ErrorCode(err); code != herald.ECodeUnavailable {
			t.Errorf("ErrorCode(%v) = %s, want %s", err, code, herald.ECodeUnavailable)
		}
	}
	for _, err := range []error{errors.New("bug"), sqlStateError("23505"), context.Canceled} {
		if code := herald.ErrorCode(err); code != herald.ECodeInternal {
			t.Errorf("ErrorCode(%v) = %s, want %s", err, code, herald.ECodeInternal)
		}
	}
}
