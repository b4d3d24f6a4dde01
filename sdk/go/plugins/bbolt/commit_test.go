package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	bolt "go.etcd.io/bbolt"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestGroupCommitIsolatesAFailingWrite: writes that share a transaction with one that fails after it
// changed something all land; the failing one's change does not, and only its caller sees the error.
func TestGroupCommitIsolatesAFailingWrite(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "g.db"), "bbolt")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	boom := errors.New("boom")
	const writers = 64
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = s.writes.update(func(tx *bolt.Tx) error {
				if err := tx.Bucket(indexBucket).Put([]byte(fmt.Sprintf("g-%02d", i)), nil); err != nil {
					return err
				}
				if i%8 == 3 {
					return boom // after a change: the change must be rolled back
				}
				return nil
			})
		}(i)
	}
	wg.Wait()
	_ = s.db.View(func(tx *bolt.Tx) error {
		for i := 0; i < writers; i++ {
			present := tx.Bucket(indexBucket).Get([]byte(fmt.Sprintf("g-%02d", i))) != nil
			if i%8 == 3 {
				if !errors.Is(errs[i], boom) || present {
					t.Errorf("failing write %d: err %v, its change present %v", i, errs[i], present)
				}
			} else if errs[i] != nil || !present {
				t.Errorf("write %d: err %v, present %v", i, errs[i], present)
			}
		}
		return nil
	})
}

// TestConcurrentStoresOfOneIdKeepTheFirst: eight callers store the same id at once (so in one group
// commit): exactly one succeeds, the others get AlreadyExists, and the stored bytes are the winner's.
func TestConcurrentStoresOfOneIdKeepTheFirst(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "c.db"), "bbolt")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	md := &pb.KeyMetadata{Id: "same", Version: 1, Tier: pb.KeyTier_L2, Algorithm: "AES-256-GCM", KeySize: 256,
		Status: pb.KeyStatus_ACTIVE, Owner: &pb.Owner{Type: pb.OwnerType_TENANT, Id: "acme"}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, lost := []byte(nil), 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			mine := []byte{byte(i + 1), 2, 3}
			_, err := s.StoreKey(ctx, &pb.StoreKeyRequest{Metadata: md, Sealed: mine})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				if won != nil {
					t.Errorf("two stores of one id succeeded")
				}
				won = mine
			case status.Code(err) == codes.AlreadyExists:
				lost++
			default:
				t.Errorf("store: %v", err)
			}
		}(i)
	}
	wg.Wait()
	got, err := s.RetrieveKey(ctx, &pb.RetrieveKeyRequest{Ref: &pb.KeyRef{Id: "same", Version: 1}})
	if err != nil || string(got.GetRecord().GetSealed()) != string(won) || lost != 7 {
		t.Fatalf("got %v %v, won %v, lost %d", got.GetRecord().GetSealed(), err, won, lost)
	}
	l, _ := s.ListKeys(ctx, &pb.ListKeysRequest{Filter: &pb.KeyFilter{Owner: md.Owner}})
	if len(l.GetItems()) != 1 {
		t.Fatalf("owner index holds %d entries, want 1", len(l.GetItems()))
	}
}

// BenchmarkStoreParallel: stores from parallel callers in the process (go test -bench . -cpu 8).
func BenchmarkStoreParallel(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "b.db"), "bbolt")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sealed := make([]byte, 256)
	var n sync.Mutex
	next := 0
	b.SetParallelism(8)
	b.RunParallel(func(pb_ *testing.PB) {
		for pb_.Next() {
			n.Lock()
			next++
			id := fmt.Sprintf("b-%d", next)
			n.Unlock()
			md := &pb.KeyMetadata{Id: id, Version: 1, Tier: pb.KeyTier_L2, Algorithm: "AES-256-GCM", KeySize: 256,
				Status: pb.KeyStatus_ACTIVE, Owner: &pb.Owner{Type: pb.OwnerType_TENANT, Id: "b"}}
			if _, err := s.StoreKey(context.Background(), &pb.StoreKeyRequest{Metadata: md, Sealed: sealed}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
