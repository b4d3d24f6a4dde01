package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	"github.com/openkcm/keystore/sdk/go/plugin"
	bolt "go.etcd.io/bbolt"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Buckets: records keyed by id 0x00 version (big endian), so byte order is (id, version) order; and
// one index bucket whose keys are <index prefix> 0x00 <record key>, so a listing by owner, tier or
// status seeks to its prefix and reads only the matches.
var (
	recordsBucket = []byte("records")
	indexBucket   = []byte("index")
)

const defaultMaxRecordBytes = 64 * 1024

// Store is the reference backend: a bbolt file. Every write is part of one bbolt transaction (fsync'd
// before the call returns), so a record and its index entries are written together or not at all;
// concurrent writers share a transaction (the group commit in commit.go: a write that fails is re-run
// alone, so one caller's error never undoes another's write).
type Store struct {
	pb.UnimplementedKeystoreOperationsServer
	db       *bolt.DB
	slots    *keySlots
	writes   *committer
	name     string
	maxBytes atomic.Int32
}

// Open opens (or creates) the database file.
func Open(path, name string) (*Store, error) {
	return OpenWaiting(path, name, 2*time.Second)
}

// OpenWaiting is Open waiting up to lockWait for another process holding the file (a predecessor
// being stopped) to let it go.
func OpenWaiting(path, name string, lockWait time.Duration) (*Store, error) {
	// NoFreelistSync: a commit writes no freelist pages (it is rebuilt when the file opens), so a
	// transaction writes only the pages it changed.
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockWait, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, err
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{recordsBucket, indexBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		db.Close()
		return nil, err
	}
	used := map[uint32]bool{}
	if err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(recordsBucket).ForEach(func(_, v []byte) error {
			rec := &pb.KeyRecord{}
			if err := proto.Unmarshal(v, rec); err != nil {
				return err
			}
			slot, err := slotOf(rec.GetSealed())
			if err != nil {
				return err
			}
			used[slot] = true
			return nil
		})
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("reading records: %w", err)
	}
	slots, err := openSlots(path+".keys", used)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{db: db, slots: slots, name: name, writes: newCommitter(db)}
	s.maxBytes.Store(defaultMaxRecordBytes)
	return s, nil
}

// Close closes the database file.
func (s *Store) Close() error {
	s.writes.close()
	err := s.db.Close()
	if e := s.slots.close(); err == nil {
		err = e
	}
	return err
}

// Configure takes "maxRecordBytes: <n>" from the entry's yamlConfiguration; other keys are rejected.
func (s *Store) Configure(_ context.Context, yaml string) error {
	for _, line := range strings.Split(yaml, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(k) != "maxRecordBytes" {
			return fmt.Errorf("unknown setting %q (known: maxRecordBytes)", strings.TrimSpace(k))
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > 1<<20 {
			return fmt.Errorf("maxRecordBytes must be 1..1048576")
		}
		s.maxBytes.Store(int32(n))
	}
	return nil
}

func recordKey(id string, version int32) []byte {
	k := make([]byte, 0, len(id)+5)
	k = append(k, id...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint32(k, uint32(version))
}

func ownerIndex(o *pb.Owner) []byte {
	return []byte("o" + strconv.Itoa(int(o.GetType())) + ":" + o.GetId() + "\x00")
}
func tierIndex(t pb.KeyTier) []byte     { return []byte("t" + strconv.Itoa(int(t)) + "\x00") }
func statusIndex(s pb.KeyStatus) []byte { return []byte("s" + strconv.Itoa(int(s)) + "\x00") }

func indexKeys(m *pb.KeyMetadata) [][]byte {
	rk := recordKey(m.GetId(), m.GetVersion())
	var out [][]byte
	for _, p := range [][]byte{ownerIndex(m.GetOwner()), tierIndex(m.GetTier()), statusIndex(m.GetStatus())} {
		out = append(out, append(p, rk...))
	}
	return out
}

func (s *Store) checkMetadata(m *pb.KeyMetadata) error {
	switch {
	case m == nil:
		return plugin.InvalidArgument("metadata", "is required")
	case m.GetId() == "":
		return plugin.InvalidArgument("metadata.id", "is required")
	case strings.ContainsRune(m.GetId(), 0):
		return plugin.InvalidArgument("metadata.id", "must not contain NUL")
	case m.GetVersion() < 1:
		return plugin.InvalidArgument("metadata.version", "must be at least 1")
	case m.GetOwner() == nil:
		return plugin.InvalidArgument("metadata.owner", "is required")
	}
	return nil
}

// StoreKey creates a record; an existing (id, version) is KeyAlreadyExists and stays as it was.
func (s *Store) StoreKey(_ context.Context, r *pb.StoreKeyRequest) (*pb.StoreKeyResponse, error) {
	m := r.GetMetadata()
	if err := s.checkMetadata(m); err != nil {
		return nil, err
	}
	if len(r.GetSealed()) == 0 {
		return nil, plugin.InvalidArgument("sealed", "must not be empty")
	}
	if max := int(s.maxBytes.Load()); len(r.GetSealed()) > max {
		return nil, plugin.InvalidArgument("sealed", fmt.Sprintf("is %d bytes, more than the %d this backend accepts", len(r.GetSealed()), max))
	}
	k := recordKey(m.GetId(), m.GetVersion())
	slot, key, err := s.slots.allocate()
	if err != nil {
		return nil, storageError(err)
	}
	blob, err := seal(slot, key, k, r.GetSealed())
	if err != nil {
		_ = s.slots.shred(slot)
		return nil, storageError(err)
	}
	rec, err := proto.Marshal(&pb.KeyRecord{Metadata: m, Sealed: blob, Revision: 1})
	if err != nil {
		_ = s.slots.shred(slot)
		return nil, plugin.InvalidArgument("metadata", "cannot be encoded")
	}
	err = s.writes.update(func(tx *bolt.Tx) error {
		recs := tx.Bucket(recordsBucket)
		if recs.Get(k) != nil {
			return plugin.AlreadyExists(m.GetId(), m.GetVersion())
		}
		if err := recs.Put(k, rec); err != nil {
			return err
		}
		return putIndexes(tx, m)
	})
	if err != nil {
		_ = s.slots.shred(slot) // nothing references it
		return nil, storageError(err)
	}
	return &pb.StoreKeyResponse{Revision: 1}, nil
}

func putIndexes(tx *bolt.Tx, m *pb.KeyMetadata) error {
	idx := tx.Bucket(indexBucket)
	for _, k := range indexKeys(m) {
		if err := idx.Put(k, nil); err != nil {
			return err
		}
	}
	return nil
}

func deleteIndexes(tx *bolt.Tx, m *pb.KeyMetadata) error {
	idx := tx.Bucket(indexBucket)
	for _, k := range indexKeys(m) {
		if err := idx.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func load(tx *bolt.Tx, id string, version int32) (*pb.KeyRecord, error) {
	v := tx.Bucket(recordsBucket).Get(recordKey(id, version))
	if v == nil {
		return nil, plugin.NotFound(id, version)
	}
	rec := &pb.KeyRecord{}
	if err := proto.Unmarshal(v, rec); err != nil {
		return nil, plugin.Integrity(fmt.Sprintf("record %s@%d cannot be decoded", id, version))
	}
	return rec, nil
}

// RetrieveKey reads one record.
func (s *Store) RetrieveKey(_ context.Context, r *pb.RetrieveKeyRequest) (*pb.RetrieveKeyResponse, error) {
	var rec *pb.KeyRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		rec, err = load(tx, r.GetRef().GetId(), r.GetRef().GetVersion())
		return err
	})
	if err != nil {
		return nil, storageError(err)
	}
	id, version := r.GetRef().GetId(), r.GetRef().GetVersion()
	slot, err := slotOf(rec.GetSealed())
	if err != nil {
		return nil, plugin.Integrity(fmt.Sprintf("record %s@%d is malformed", id, version))
	}
	key, err := s.slots.key(slot)
	if err != nil {
		return nil, storageError(err)
	}
	plain, err := open(key, recordKey(id, version), rec.GetSealed())
	if err != nil {
		return nil, plugin.Integrity(fmt.Sprintf("record %s@%d does not decrypt under its key", id, version))
	}
	rec.Sealed = plain
	return &pb.RetrieveKeyResponse{Record: rec}, nil
}

// UpdateKeyMetadata replaces the mutable fields if the revision is still the expected one.
func (s *Store) UpdateKeyMetadata(_ context.Context, r *pb.UpdateKeyMetadataRequest) (*pb.UpdateKeyMetadataResponse, error) {
	m := r.GetMetadata()
	if err := s.checkMetadata(m); err != nil {
		return nil, err
	}
	var next int64
	err := s.writes.update(func(tx *bolt.Tx) error {
		rec, err := load(tx, m.GetId(), m.GetVersion())
		if err != nil {
			return err
		}
		if err := sameIdentity(rec.GetMetadata(), m); err != nil {
			return err
		}
		if rec.GetRevision() != r.GetExpectedRevision() {
			return plugin.ConcurrentUpdate(m.GetId(), m.GetVersion(), r.GetExpectedRevision(), rec.GetRevision())
		}
		if err := deleteIndexes(tx, rec.GetMetadata()); err != nil {
			return err
		}
		updated := proto.Clone(rec.GetMetadata()).(*pb.KeyMetadata)
		updated.Status, updated.UpdatedAt, updated.ExpiresAt, updated.Tags = m.GetStatus(), m.GetUpdatedAt(), m.GetExpiresAt(), m.GetTags()
		next = rec.GetRevision() + 1
		raw, err := proto.Marshal(&pb.KeyRecord{Metadata: updated, Sealed: rec.GetSealed(), Revision: next})
		if err != nil {
			return err
		}
		if err := tx.Bucket(recordsBucket).Put(recordKey(m.GetId(), m.GetVersion()), raw); err != nil {
			return err
		}
		return putIndexes(tx, updated)
	})
	if err != nil {
		return nil, storageError(err)
	}
	return &pb.UpdateKeyMetadataResponse{Revision: next}, nil
}

func sameIdentity(old, m *pb.KeyMetadata) error {
	switch {
	case old.GetTier() != m.GetTier():
		return plugin.InvalidArgument("tier", "is part of the key's identity and cannot change")
	case !proto.Equal(old.GetOwner(), m.GetOwner()):
		return plugin.InvalidArgument("owner", "is part of the key's identity and cannot change")
	case old.GetAlgorithm() != m.GetAlgorithm() || old.GetKeySize() != m.GetKeySize():
		return plugin.InvalidArgument("algorithm", "algorithm and key size are part of the key's identity and cannot change")
	case !proto.Equal(old.GetParent(), m.GetParent()):
		return plugin.InvalidArgument("parent", "is part of the key's identity and cannot change")
	}
	return nil
}

// DeleteKey removes the record and its index entries in one transaction, then shreds the record's key
// slot, so the copies bbolt keeps in freed pages can no longer be decrypted.
func (s *Store) DeleteKey(_ context.Context, r *pb.DeleteKeyRequest) (*pb.DeleteKeyResponse, error) {
	existed := false
	var slot uint32
	err := s.writes.update(func(tx *bolt.Tx) error {
		existed = false // a batch may run this function again
		rec, err := load(tx, r.GetRef().GetId(), r.GetRef().GetVersion())
		if err != nil {
			if isNotFound(err) {
				return nil
			}
			return err
		}
		if slot, err = slotOf(rec.GetSealed()); err != nil {
			return plugin.Integrity("a stored record is malformed")
		}
		existed = true
		if err := deleteIndexes(tx, rec.GetMetadata()); err != nil {
			return err
		}
		return tx.Bucket(recordsBucket).Delete(recordKey(r.GetRef().GetId(), r.GetRef().GetVersion()))
	})
	if err != nil {
		return nil, storageError(err)
	}
	if existed {
		if err := s.slots.shred(slot); err != nil {
			return nil, storageError(err) // the record is gone; the slot is zeroed at the next open
		}
	}
	return &pb.DeleteKeyResponse{Existed: existed}, nil
}

// ListKeys reads the most selective index the filter allows (key id or prefix, owner, statuses, tier)
// from the cursor on, so the cost follows the matches and the page size, not the store.
func (s *Store) ListKeys(_ context.Context, r *pb.ListKeysRequest) (*pb.ListKeysResponse, error) {
	f := r.GetFilter()
	if f == nil {
		f = &pb.KeyFilter{}
	}
	size := int(f.GetPageSize())
	if size <= 0 {
		size = 100
	}
	if size > 1000 {
		size = 1000
	}
	afterID, afterVer, hasAfter, err := plugin.DecodeCursor(f.GetCursor())
	if err != nil {
		return nil, err
	}
	var after []byte
	if hasAfter {
		after = recordKey(afterID, afterVer)
	}
	var found []*pb.KeyMetadata
	err = s.db.View(func(tx *bolt.Tx) error {
		recs := tx.Bucket(recordsBucket)
		take := func(prefixes [][]byte, viaIndex bool) error {
			for _, p := range prefixes {
				n := 0
				scan := tx.Bucket(indexBucket).Cursor()
				if !viaIndex {
					scan = recs.Cursor()
				}
				start := p
				if viaIndex {
					start = append(append([]byte{}, p...), after...)
				} else if bytes.Compare(after, p) > 0 {
					start = after
				}
				k, _ := scan.Seek(start)
				for ; k != nil && bytes.HasPrefix(k, p) && n <= size; k, _ = scan.Next() {
					rk := k
					if viaIndex {
						rk = k[len(p):]
					}
					if after != nil && bytes.Compare(rk, after) <= 0 {
						continue
					}
					rec := &pb.KeyRecord{}
					if err := proto.Unmarshal(recs.Get(rk), rec); err != nil {
						return plugin.Integrity("a stored record cannot be decoded")
					}
					if matches(f, rec.GetMetadata()) {
						found = append(found, rec.GetMetadata())
						n++
					}
				}
			}
			return nil
		}
		switch {
		case f.GetKeyId() != "":
			return take([][]byte{append([]byte(f.GetKeyId()), 0)}, false)
		case f.GetIdPrefix() != "":
			return take([][]byte{[]byte(f.GetIdPrefix())}, false)
		case f.GetOwner() != nil:
			return take([][]byte{ownerIndex(f.GetOwner())}, true)
		case len(f.GetStatuses()) > 0:
			var ps [][]byte
			for _, st := range uniqueStatuses(f.GetStatuses()) {
				ps = append(ps, statusIndex(st))
			}
			return take(ps, true)
		case f.GetTier() != pb.KeyTier_KEY_TIER_UNSPECIFIED:
			return take([][]byte{tierIndex(f.GetTier())}, true)
		default:
			return take([][]byte{nil}, false)
		}
	})
	if err != nil {
		return nil, storageError(err)
	}
	sort.Slice(found, func(i, j int) bool {
		return bytes.Compare(recordKey(found[i].GetId(), found[i].GetVersion()), recordKey(found[j].GetId(), found[j].GetVersion())) < 0
	})
	out := &pb.ListKeysResponse{}
	if len(found) > size {
		found = found[:size]
		last := found[size-1]
		out.NextCursor = plugin.CursorAfter(last.GetId(), last.GetVersion())
	}
	out.Items = found
	return out, nil
}

func uniqueStatuses(in []pb.KeyStatus) []pb.KeyStatus {
	seen := map[pb.KeyStatus]bool{}
	var out []pb.KeyStatus
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func matches(f *pb.KeyFilter, m *pb.KeyMetadata) bool {
	if f.GetOwner() != nil && !proto.Equal(f.GetOwner(), m.GetOwner()) {
		return false
	}
	if f.GetTier() != pb.KeyTier_KEY_TIER_UNSPECIFIED && f.GetTier() != m.GetTier() {
		return false
	}
	if len(f.GetStatuses()) > 0 {
		ok := false
		for _, s := range f.GetStatuses() {
			ok = ok || s == m.GetStatus()
		}
		if !ok {
			return false
		}
	}
	if f.GetAlgorithm() != "" && !strings.EqualFold(f.GetAlgorithm(), m.GetAlgorithm()) {
		return false
	}
	if f.GetExpiresBefore() != nil && (m.GetExpiresAt() == nil || !before(m.GetExpiresAt(), f.GetExpiresBefore())) {
		return false
	}
	if f.GetExpiresAfter() != nil && (m.GetExpiresAt() == nil || !before(f.GetExpiresAfter(), m.GetExpiresAt())) {
		return false
	}
	if f.GetIdPrefix() != "" && !strings.HasPrefix(m.GetId(), f.GetIdPrefix()) {
		return false
	}
	if f.GetKeyId() != "" && f.GetKeyId() != m.GetId() {
		return false
	}
	for k, v := range f.GetTags() {
		if got, ok := m.GetTags()[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func before(a, b *timestamppb.Timestamp) bool {
	return a.GetSeconds() < b.GetSeconds() || (a.GetSeconds() == b.GetSeconds() && a.GetNanos() < b.GetNanos())
}

// Health reads the database once.
func (s *Store) Health(context.Context, *pb.HealthRequest) (*pb.HealthResponse, error) {
	start := time.Now()
	err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(recordsBucket) == nil {
			return fmt.Errorf("records bucket missing")
		}
		return nil
	})
	state, detail := pb.BackendState_UP, ""
	if err != nil {
		state, detail = pb.BackendState_UNAVAILABLE, "database not readable"
	}
	return &pb.HealthResponse{State: state, Detail: detail, LatencyMicros: time.Since(start).Microseconds(), CheckedAt: timestamppb.Now()}, nil
}

// Info names the backend.
func (s *Store) Info(context.Context, *pb.InfoRequest) (*pb.InfoResponse, error) {
	return &pb.InfoResponse{Name: s.name, Persistent: true, MaxRecordBytes: s.maxBytes.Load(),
		Description: "bbolt file (reference Go plugin)"}, nil
}
