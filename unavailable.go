package herald

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// IsUnavailable reports whether err says that the database (or another
// dependency) cannot be reached at the moment, rather than that a request
// or Herald is wrong: a refused, reset or timed-out connection, a server
// shutting down or out of connections. ErrorCode gives such errors
// ECodeUnavailable, which the API answers 503 so that clients try again.
// An error may also say so itself with an Unavailable() bool method.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var self interface{ Unavailable() bool }
	if errors.As(err, &self) {
		return self.Unavailable()
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		// A connection closed under a query ends its reply early.
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	// SQLSTATE, as PostgreSQL's driver reports it: class 08 is a connection
	// exception, 57P01-57P03 a server shutting down or starting, 53300 too
	// many connections.
	var coded interface{ SQLState() string }
	if errors.As(err, &coded) {
		state := coded.SQLState()
		return strings.HasPrefix(state, "08") || state == "57P01" || state == "57P02" || state == "57P03" || state == "53300"
	}
	return false
}
