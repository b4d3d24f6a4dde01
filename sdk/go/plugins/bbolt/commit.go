package main

import (
	"errors"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// errClosed answers a write that arrives while the store is closing.
var errClosed = errors.New("store is closing")

// maxBatch bounds how many writes share one transaction.
const maxBatch = 256

// write is one caller's part of a group commit. fn may run more than once (after a rollback caused by
// another write of its batch), so it must set its results afresh on every run.
type write struct {
	fn   func(*bolt.Tx) error
	done chan error
}

// committer is the store's group commit: one goroutine takes every write queued while the previous
// transaction committed and runs them in one bbolt transaction, so concurrent writers share its fsyncs
// instead of each paying its own. There is no waiting for a batch to
// fill (bbolt's DB.Batch waits up to MaxBatchDelay): a lone writer commits at once, and under load the
// batch is whatever arrived during the last commit.
//
// Semantics are those of DB.Batch: writes of a batch are applied in order in one transaction; if one
// returns an error the transaction is rolled back, that write is run alone in a transaction of its own
// (so its error, and only its, reaches its caller) and the others are retried together. A write that
// fails therefore never undoes nor joins another's, and one that succeeds is durable when it returns.
type committer struct {
	db    *bolt.DB
	queue chan *write
	done  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
}

func newCommitter(db *bolt.DB) *committer {
	c := &committer{db: db, queue: make(chan *write, maxBatch), done: make(chan struct{})}
	c.wg.Add(1)
	go c.loop()
	return c
}

// update runs fn in a group-committed transaction and returns once it is durable (or failed).
func (c *committer) update(fn func(*bolt.Tx) error) error {
	w := &write{fn: fn, done: make(chan error, 1)}
	select {
	case c.queue <- w:
	case <-c.done:
		return errClosed
	}
	return <-w.done
}

func (c *committer) loop() {
	defer c.wg.Done()
	for {
		var first *write
		select {
		case first = <-c.queue:
		case <-c.done:
			c.drain()
			return
		}
		batch := []*write{first}
	fill:
		for len(batch) < maxBatch {
			select {
			case w := <-c.queue:
				batch = append(batch, w)
			default:
				break fill
			}
		}
		c.commit(batch)
	}
}

// drain fails writes that were queued but not taken when the store closed.
func (c *committer) drain() {
	for {
		select {
		case w := <-c.queue:
			w.done <- errClosed
		default:
			return
		}
	}
}

func (c *committer) commit(batch []*write) {
	for len(batch) > 0 {
		failed := -1
		err := c.db.Update(func(tx *bolt.Tx) error {
			for i, w := range batch {
				if err := safely(w.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			for _, w := range batch {
				w.done <- err // nil, or the commit's own failure for all of them
			}
			return
		}
		// one write failed: it runs alone, the others again together
		solo := batch[failed]
		solo.done <- c.db.Update(func(tx *bolt.Tx) error { return safely(solo.fn, tx) })
		batch = append(batch[:failed:failed], batch[failed+1:]...)
	}
}

// safely runs fn, turning a panic into an error of that write (it must not stop the committer).
func safely(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if recover() != nil { // the panic value is not repeated: it might quote a record
			err = errors.New("a write panicked")
		}
	}()
	return fn(tx)
}

// close fails writes not yet taken and waits for the one committing.
func (c *committer) close() {
	c.once.Do(func() { close(c.done) })
	c.wg.Wait()
}
