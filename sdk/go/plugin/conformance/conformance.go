// Package conformance is the Go mirror of the Java conformance kit (KeystoreConformanceTest): the
// contract every KeystoreOperations backend must keep, run against a client of the backend.
//
//	func TestConformance(t *testing.T) { conformance.Run(t, client) }
//
// It only touches ids under its own random prefix, so a shared backend is fine.
package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

type suite struct {
	c      pb.KeystoreOperationsClient
	prefix string
}

// Run runs every contract test as a subtest.
func Run(t *testing.T, c pb.KeystoreOperationsClient) {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	s := &suite{c: c, prefix: "conf-" + hex.EncodeToString(b) + "-"}
	t.Run("InfoAndHealth", s.infoAndHealth)
	t.Run("StoreRetrieveEveryTier", s.storeRetrieve)
	t.Run("DuplicateKeepsOriginal", s.duplicate)
	t.Run("MissingIsNotFound", s.missing)
	t.Run("RevisionCompareAndSet", s.cas)
	t.Run("IdentityCannotChange", s.identity)
	t.Run("DeleteIsIdempotent", s.delete)
	t.Run("EmptyAndOversizedRejected", s.sizes)
	t.Run("FiltersSelectExactlyTheMatches", s.filters)
	t.Run("PagesNeitherSkipNorRepeat", s.paging)
	t.Run("ConcurrentUpdatersLoseNothing", s.concurrent)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func (s *suite) md(id string, version int32, tier pb.KeyTier, owner string) *pb.KeyMetadata {
	now := timestamppb.New(time.Now().Truncate(time.Millisecond))
	return &pb.KeyMetadata{Id: s.prefix + id, Version: version, Tier: tier, Algorithm: "AES-256-GCM", KeySize: 256,
		Status: pb.KeyStatus_ACTIVE, CreatedAt: now, UpdatedAt: now, Owner: &pb.Owner{Type: pb.OwnerType_TENANT, Id: s.prefix + owner}}
}

func sealed(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func code(t *testing.T, err error, want codes.Code, what string) {
	t.Helper()
	if got := status.Code(err); got != want {
		t.Fatalf("%s: got %v (%v), want %v", what, got, err, want)
	}
}

func (s *suite) store(t *testing.T, m *pb.KeyMetadata, b []byte) int64 {
	t.Helper()
	r, err := s.c.StoreKey(ctx(t), &pb.StoreKeyRequest{Metadata: m, Sealed: b})
	if err != nil {
		t.Fatalf("store %s: %v", m.GetId(), err)
	}
	return r.GetRevision()
}

func (s *suite) infoAndHealth(t *testing.T) {
	info, err := s.c.Info(ctx(t), &pb.InfoRequest{})
	if err != nil || info.GetName() == "" || info.GetMaxRecordBytes() <= 0 {
		t.Fatalf("info: %v %v", info, err)
	}
	h, err := s.c.Health(ctx(t), &pb.HealthRequest{})
	if err != nil || h.GetState() != pb.BackendState_UP {
		t.Fatalf("health: %v %v", h, err)
	}
}

func (s *suite) storeRetrieve(t *testing.T) {
	for _, tier := range []pb.KeyTier{pb.KeyTier_L2, pb.KeyTier_L3, pb.KeyTier_L4} {
		m := s.md("rt-"+tier.String(), 1, tier, "acme")
		b := sealed(48)
		rev := s.store(t, m, b)
		got, err := s.c.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: &pb.KeyRef{Id: m.Id, Version: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(got.GetRecord().GetMetadata(), m) || string(got.GetRecord().GetSealed()) != string(b) || got.GetRecord().GetRevision() != rev || rev < 1 {
			t.Fatalf("%v: record differs from what was stored", tier)
		}
	}
}

func (s *suite) duplicate(t *testing.T) {
	m := s.md("dup", 1, pb.KeyTier_L2, "acme")
	b := sealed(32)
	s.store(t, m, b)
	other := proto.Clone(m).(*pb.KeyMetadata)
	other.Status = pb.KeyStatus_RETIRED
	_, err := s.c.StoreKey(ctx(t), &pb.StoreKeyRequest{Metadata: other, Sealed: sealed(32)})
	code(t, err, codes.AlreadyExists, "second store")
	got, _ := s.c.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: &pb.KeyRef{Id: m.Id, Version: 1}})
	if string(got.GetRecord().GetSealed()) != string(b) || got.GetRecord().GetMetadata().GetStatus() != pb.KeyStatus_ACTIVE {
		t.Fatal("the original record changed")
	}
}

func (s *suite) missing(t *testing.T) {
	ref := &pb.KeyRef{Id: s.prefix + "missing", Version: 1}
	_, err := s.c.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: ref})
	code(t, err, codes.NotFound, "retrieve")
	_, err = s.c.UpdateKeyMetadata(ctx(t), &pb.UpdateKeyMetadataRequest{Metadata: s.md("missing", 1, pb.KeyTier_L3, "acme"), ExpectedRevision: 1})
	code(t, err, codes.NotFound, "update")
}

func (s *suite) cas(t *testing.T) {
	m := s.md("cas", 1, pb.KeyTier_L3, "acme")
	rev := s.store(t, m, sealed(40))
	u := proto.Clone(m).(*pb.KeyMetadata)
	u.Status, u.Tags = pb.KeyStatus_SUSPENDED, map[string]string{"k": "v"}
	r, err := s.c.UpdateKeyMetadata(ctx(t), &pb.UpdateKeyMetadataRequest{Metadata: u, ExpectedRevision: rev})
	if err != nil || r.GetRevision() <= rev {
		t.Fatalf("update: %v %v", r, err)
	}
	stale := proto.Clone(m).(*pb.KeyMetadata)
	stale.Status = pb.KeyStatus_RETIRED
	_, err = s.c.UpdateKeyMetadata(ctx(t), &pb.UpdateKeyMetadataRequest{Metadata: stale, ExpectedRevision: rev})
	code(t, err, codes.Aborted, "stale update")
	got, _ := s.c.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: &pb.KeyRef{Id: m.Id, Version: 1}})
	if got.GetRecord().GetMetadata().GetStatus() != pb.KeyStatus_SUSPENDED || got.GetRecord().GetRevision() != r.GetRevision() {
		t.Fatal("a stale update changed the record")
	}
}

func (s *suite) identity(t *testing.T) {
	m := s.md("ident", 1, pb.KeyTier_L3, "acme")
	rev := s.store(t, m, sealed(40))
	u := proto.Clone(m).(*pb.KeyMetadata)
	u.Owner = &pb.Owner{Type: pb.OwnerType_TENANT, Id: s.prefix + "other"}
	_, err := s.c.UpdateKeyMetadata(ctx(t), &pb.UpdateKeyMetadataRequest{Metadata: u, ExpectedRevision: rev})
	code(t, err, codes.InvalidArgument, "owner change")
}

func (s *suite) delete(t *testing.T) {
	m := s.md("del", 1, pb.KeyTier_L4, "acme")
	s.store(t, m, sealed(40))
	ref := &pb.KeyRef{Id: m.Id, Version: 1}
	d, err := s.c.DeleteKey(ctx(t), &pb.DeleteKeyRequest{Ref: ref})
	if err != nil || !d.GetExisted() {
		t.Fatalf("delete: %v %v", d, err)
	}
	_, err = s.c.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: ref})
	code(t, err, codes.NotFound, "retrieve after delete")
	d, err = s.c.DeleteKey(ctx(t), &pb.DeleteKeyRequest{Ref: ref})
	if err != nil || d.GetExisted() {
		t.Fatalf("second delete: %v %v", d, err)
	}
	l, _ := s.c.ListKeys(ctx(t), &pb.ListKeysRequest{Filter: &pb.KeyFilter{KeyId: m.Id}})
	if len(l.GetItems()) != 0 {
		t.Fatal("a deleted record is still listed")
	}
}

func (s *suite) sizes(t *testing.T) {
	info, _ := s.c.Info(ctx(t), &pb.InfoRequest{})
	m := s.md("size", 1, pb.KeyTier_L4, "acme")
	_, err := s.c.StoreKey(ctx(t), &pb.StoreKeyRequest{Metadata: m, Sealed: nil})
	code(t, err, codes.InvalidArgument, "empty")
	_, err = s.c.StoreKey(ctx(t), &pb.StoreKeyRequest{Metadata: m, Sealed: sealed(int(info.GetMaxRecordBytes()) + 1)})
	code(t, err, codes.InvalidArgument, "oversized")
	_, err = s.c.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: &pb.KeyRef{Id: m.Id, Version: 1}})
	code(t, err, codes.NotFound, "nothing stored")
	s.store(t, m, sealed(int(info.GetMaxRecordBytes())))
}

func (s *suite) list(t *testing.T, f *pb.KeyFilter) []string {
	t.Helper()
	var ids []string
	for {
		r, err := s.c.ListKeys(ctx(t), &pb.ListKeysRequest{Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range r.GetItems() {
			ids = append(ids, fmt.Sprintf("%s@%d", m.GetId(), m.GetVersion()))
		}
		if r.GetNextCursor() == "" {
			return ids
		}
		f = proto.Clone(f).(*pb.KeyFilter)
		f.Cursor = r.GetNextCursor()
	}
}

func (s *suite) filters(t *testing.T) {
	a := s.md("f-a", 1, pb.KeyTier_L2, "fo1")
	b := s.md("f-b", 1, pb.KeyTier_L3, "fo1")
	b.Status = pb.KeyStatus_SUSPENDED
	c := s.md("f-c", 2, pb.KeyTier_L3, "fo2")
	c.Tags = map[string]string{"env": "prod"}
	c.ExpiresAt = timestamppb.New(time.Now().Add(time.Hour))
	for _, m := range []*pb.KeyMetadata{a, b, c} {
		s.store(t, m, sealed(32))
	}
	want := func(name string, f *pb.KeyFilter, ids ...*pb.KeyMetadata) {
		f.IdPrefix = s.prefix + "f-"
		got := s.list(t, f)
		var exp []string
		for _, m := range ids {
			exp = append(exp, fmt.Sprintf("%s@%d", m.Id, m.Version))
		}
		if fmt.Sprint(got) != fmt.Sprint(exp) {
			t.Errorf("%s: got %v, want %v", name, got, exp)
		}
	}
	want("owner", &pb.KeyFilter{Owner: a.Owner}, a, b)
	want("tier", &pb.KeyFilter{Tier: pb.KeyTier_L3}, b, c)
	want("status", &pb.KeyFilter{Statuses: []pb.KeyStatus{pb.KeyStatus_SUSPENDED}}, b)
	want("tags", &pb.KeyFilter{Tags: map[string]string{"env": "prod"}}, c)
	want("expiry", &pb.KeyFilter{ExpiresAfter: timestamppb.Now()}, c)
	// the index paths, without the prefix criterion
	for name, f := range map[string]*pb.KeyFilter{"owner index": {Owner: c.Owner}, "key id": {KeyId: c.Id}} {
		if got := s.list(t, f); fmt.Sprint(got) != fmt.Sprint([]string{c.Id + "@2"}) {
			t.Errorf("%s: got %v", name, got)
		}
	}
}

func (s *suite) paging(t *testing.T) {
	var exp []string
	for i := 0; i < 23; i++ {
		m := s.md(fmt.Sprintf("p-%02d", i), 1, pb.KeyTier_L4, "pager")
		s.store(t, m, sealed(16))
		exp = append(exp, m.Id+"@1")
	}
	for _, f := range []*pb.KeyFilter{{IdPrefix: s.prefix + "p-", PageSize: 5}, {Owner: &pb.Owner{Type: pb.OwnerType_TENANT, Id: s.prefix + "pager"}, PageSize: 4}} {
		if got := s.list(t, f); fmt.Sprint(got) != fmt.Sprint(exp) {
			t.Fatalf("pages: got %v, want %v", got, exp)
		}
	}
}

func (s *suite) concurrent(t *testing.T) {
	m := s.md("conc", 1, pb.KeyTier_L3, "acme")
	s.store(t, m, sealed(32))
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				got, err := s.c.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: &pb.KeyRef{Id: m.Id, Version: 1}})
				if err != nil {
					t.Error(err)
					return
				}
				u := proto.Clone(got.GetRecord().GetMetadata()).(*pb.KeyMetadata)
				if u.Tags == nil {
					u.Tags = map[string]string{}
				}
				u.Tags[fmt.Sprintf("w%d", w)] = "1"
				_, err = s.c.UpdateKeyMetadata(ctx(t), &pb.UpdateKeyMetadataRequest{Metadata: u, ExpectedRevision: got.GetRecord().GetRevision()})
				if err == nil {
					return
				}
				if status.Code(err) != codes.Aborted {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	got, _ := s.c.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: &pb.KeyRef{Id: m.Id, Version: 1}})
	if n := len(got.GetRecord().GetMetadata().GetTags()); n != 8 {
		t.Fatalf("lost updates: %d of 8 tags", n)
	}
}
