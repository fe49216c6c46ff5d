package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Checkpoints (SQLite). In WAL mode a commit appends the transaction's pages to the WAL, and a
// checkpoint copies them back into the database file and fsyncs it. SQLite runs one on the
// writer's commit whenever the WAL has grown by wal_autocheckpoint pages (1,000 by default,
// every few batches of group commit under load), so the single committer, which every write of
// the process waits for, also did all the copying.
//
// Here a goroutine of its own checkpoints on a connection of its own (PASSIVE: it never blocks
// the writer or a reader, and it copies only frames no reader still needs) every
// checkpointEvery, beside the committer on the other core, and the writer's own automatic
// checkpoint is raised to a backstop that only a stalled checkpointer would reach. Durability
// is unchanged: a commit is durable once its frames are fsynced in the WAL (synchronous=FULL),
// and the checkpoint fsyncs the database file before the WAL may be reused.

// checkpointEvery is the checkpointer's period. Under load it finds a few thousand frames to
// copy each time; idle, a checkpoint with nothing to copy costs microseconds.
const checkpointEvery = 100 * time.Millisecond

// writerAutoCheckpoint is the writer's own automatic checkpoint, in pages (40 MB of WAL of
// 4 KiB pages): reached only if the checkpointer stopped keeping up.
const writerAutoCheckpoint = 10000

type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	done sync.WaitGroup
}

// startCheckpointer opens the checkpointer's connection to the SQLite file at path and starts it.
func startCheckpointer(path string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", sqliteDSN(path, "deferred"))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, stop: make(chan struct{})}
	c.done.Add(1)
	go c.loop()
	return c, nil
}

func (c *checkpointer) loop() {
	defer c.done.Done()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		// An error (a test's file removed, a lock held a moment) leaves the frames to the next
		// tick or to the writer's backstop.
		_, _ = c.db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
	}
}

// close stops the checkpointer; the writer's connection, closed after it, checkpoints the rest.
func (c *checkpointer) close() {
	if c == nil {
		return
	}
	close(c.stop)
	c.done.Wait()
	c.db.Close()
}
