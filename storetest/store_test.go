package storetest_test

import (
	"testing"

	"herald/dbtest"
	"herald/sqlstore"
	"herald/storetest"
)

func TestSQLite(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t testing.TB) *sqlstore.DB { return dbtest.SQLite(t) })
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t testing.TB) *sqlstore.DB { return dbtest.Postgres(t) })
}
