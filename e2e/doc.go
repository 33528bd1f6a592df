// Package e2e holds the fault and scale tests of Herald's delivery worker:
// several `herald worker` processes on one PostgreSQL, a worker killed or
// stopped in the middle of a burst, a database that goes away for a few
// seconds, a provider that hangs, and the lateness of reminders under the
// real job engine. The tests drive the built binary and the in-process
// engine against the vonagetest fake and real databases; the package has
// no code of its own.
package e2e
