package sqlstore

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
)

// stmtCacheConnector opens connections that keep their most recently used
// statements prepared, so that a query run again on the same connection
// skips parsing and planning it. It serves drivers that prepare every
// statement anew for each Exec and Query (modernc SQLite does): every
// query that goes through database/sql without an explicit Prepare gains,
// the job engine's own included.
type stmtCacheConnector struct {
	driver driver.Driver
	dsn    string
	// size is how many statements each connection keeps.
	size int
	// rewrite, when not nil, gives the text a query is prepared with.
	rewrite func(string) string
}

// Connect implements driver.Connector.
func (c stmtCacheConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return newStmtCacheConn(conn, c.size, c.rewrite)
}

// Driver implements driver.Connector.
func (c stmtCacheConnector) Driver() driver.Driver { return c.driver }

// cacheableConn is what a connection must offer for its statements to be
// cached.
type cacheableConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
}

// stmtCacheConn is a connection with its cache of prepared statements. Like
// any driver connection, it is used by one goroutine at a time.
type stmtCacheConn struct {
	cacheableConn
	size    int
	rewrite func(string) string
	// lru holds *cachedStmt, most recently used first; byQuery finds them.
	lru     list.List
	byQuery map[string]*list.Element
}

// cachedStmt is a prepared statement of the cache. busy is set while rows
// of it are open: a second run of the same query meanwhile (a query inside
// a loop over its own rows) prepares a statement of its own.
type cachedStmt struct {
	query string
	stmt  cachedDriverStmt
	busy  bool
	// evicted: the statement left the cache while busy, and is closed
	// when its rows are.
	evicted bool
}

// cachedDriverStmt is what a statement must offer to be run from the cache.
type cachedDriverStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

func newStmtCacheConn(conn driver.Conn, size int, rewrite func(string) string) (driver.Conn, error) {
	cc, ok := conn.(cacheableConn)
	if !ok {
		conn.Close()
		return nil, errors.New("statement cache: the driver's connections lack PrepareContext or BeginTx")
	}
	return &stmtCacheConn{cacheableConn: cc, size: max(size, 1), rewrite: rewrite, byQuery: map[string]*list.Element{}}, nil
}

// ExecContext implements driver.ExecerContext with a cached statement.
func (c *stmtCacheConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	res, err := cs.stmt.ExecContext(ctx, args)
	c.release(cs)
	return res, err
}

// QueryContext implements driver.QueryerContext with a cached statement,
// which stays busy until the rows are closed.
func (c *stmtCacheConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := cs.stmt.QueryContext(ctx, args)
	if err != nil {
		c.release(cs)
		return nil, err
	}
	return &cachedRows{Rows: rows, release: func() { c.release(cs) }}, nil
}

// take returns the cached statement of query, marked busy, preparing it
// when the cache has none or its own is busy.
func (c *stmtCacheConn) take(ctx context.Context, query string) (*cachedStmt, error) {
	if el, ok := c.byQuery[query]; ok {
		cs := el.Value.(*cachedStmt)
		if !cs.busy {
			c.lru.MoveToFront(el)
			cs.busy = true
			return cs, nil
		}
	}
	text := query
	if c.rewrite != nil {
		text = c.rewrite(query)
	}
	ds, err := c.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	stmt, ok := ds.(cachedDriverStmt)
	if !ok {
		ds.Close()
		return nil, driver.ErrSkip
	}
	cs := &cachedStmt{query: query, stmt: stmt, busy: true}
	if _, ok := c.byQuery[query]; ok {
		// The cached one is busy: this one serves once.
		cs.evicted = true
		return cs, nil
	}
	c.byQuery[query] = c.lru.PushFront(cs)
	for c.lru.Len() > c.size {
		c.evict(c.lru.Back())
	}
	return cs, nil
}

// release marks cs free again, closing it if it left the cache meanwhile.
func (c *stmtCacheConn) release(cs *cachedStmt) {
	cs.busy = false
	if cs.evicted {
		cs.stmt.Close()
	}
}

// evict drops a statement from the cache; a busy one is closed once free.
func (c *stmtCacheConn) evict(el *list.Element) {
	cs := c.lru.Remove(el).(*cachedStmt)
	delete(c.byQuery, cs.query)
	cs.evicted = true
	if !cs.busy {
		cs.stmt.Close()
	}
}

// Close closes the cached statements, then the connection.
func (c *stmtCacheConn) Close() error {
	for c.lru.Len() > 0 {
		c.evict(c.lru.Back())
	}
	return c.cacheableConn.Close()
}

// ResetSession implements driver.SessionResetter when the connection does.
func (c *stmtCacheConn) ResetSession(ctx context.Context) error {
	if r, ok := c.cacheableConn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

// IsValid implements driver.Validator when the connection does.
func (c *stmtCacheConn) IsValid() bool {
	if v, ok := c.cacheableConn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// Ping implements driver.Pinger when the connection does.
func (c *stmtCacheConn) Ping(ctx context.Context) error {
	if p, ok := c.cacheableConn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// cachedRows are the rows of a cached statement, which they free on Close.
type cachedRows struct {
	driver.Rows
	release func()
}

// Close closes the rows and frees their statement, once.
func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.release != nil {
		r.release()
		r.release = nil
	}
	return err
}
