package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
)

// keySlots is the shredding half of the store. bbolt is copy-on-write: a deleted value stays in freed pages
// until they are reused, so deleting from bbolt alone is no shred. Each record's sealed bytes are therefore
// stored encrypted (AES-256-GCM) under a key of its own, kept outside bbolt in a file of fixed 32-byte slots
// that is overwritten in place: deleting a record zeroes its slot (and fsyncs), after which whatever copies
// bbolt still holds cannot be decrypted. A slot no record references (a crash between the two writes) is
// zeroed when the store opens. Slots are handed out from a pool prepared (written and synced) ahead, so a
// store costs no fsync of the key file of its own.
type keySlots struct {
	mu    sync.Mutex
	f     *os.File
	free  []uint32
	ready []uint32 // prepared: a fresh synced key, no record yet
	next  uint32
	cache map[uint32][]byte
}

const slotSize = 32

// poolSize is how many slots one fsync of the key file prepares.
const poolSize = 64

func openSlots(path string, used map[uint32]bool) (*keySlots, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	k := &keySlots{f: f, next: uint32(st.Size() / slotSize), cache: map[uint32][]byte{}}
	zero := make([]byte, slotSize)
	for s := uint32(0); s < k.next; s++ {
		if !used[s] {
			if _, err := f.WriteAt(zero, int64(s)*slotSize); err != nil {
				f.Close()
				return nil, err
			}
			k.free = append(k.free, s)
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return k, nil
}

// allocate hands out a slot holding a fresh key that is already durable. Slots are prepared in sets of
// poolSize with one fsync of the key file per set, so a store pays no fsync of its own here: a prepared
// slot no record references yet is an unreferenced slot like any other (zeroed at the next open).
func (k *keySlots) allocate() (uint32, []byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.ready) == 0 {
		if err := k.prepare(); err != nil {
			return 0, nil, err
		}
	}
	n := len(k.ready)
	slot := k.ready[n-1]
	k.ready = k.ready[:n-1]
	return slot, k.cache[slot], nil
}

// prepare writes poolSize fresh keys into free slots and syncs the file once. Called with mu held.
func (k *keySlots) prepare() error {
	var slots []uint32
	for i := 0; i < poolSize; i++ {
		key := make([]byte, slotSize)
		if _, err := rand.Read(key); err != nil {
			k.free = append(k.free, slots...)
			return err
		}
		var slot uint32
		if n := len(k.free); n > 0 {
			slot, k.free = k.free[n-1], k.free[:n-1]
		} else {
			slot = k.next
			k.next++
		}
		slots = append(slots, slot)
		k.cache[slot] = key
		if _, err := k.f.WriteAt(key, int64(slot)*slotSize); err != nil {
			k.unprepare(slots)
			return err
		}
	}
	if err := k.f.Sync(); err != nil {
		k.unprepare(slots)
		return err
	}
	k.ready = append(k.ready, slots...)
	return nil
}

// unprepare forgets keys of a failed prepare; their slots are free again (and zeroed at the next open).
func (k *keySlots) unprepare(slots []uint32) {
	for _, s := range slots {
		clear(k.cache[s])
		delete(k.cache, s)
	}
	k.free = append(k.free, slots...)
}

func (k *keySlots) release(slot uint32) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.free = append(k.free, slot)
}

func (k *keySlots) key(slot uint32) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.cache[slot]; ok {
		return key, nil
	}
	key := make([]byte, slotSize)
	if _, err := k.f.ReadAt(key, int64(slot)*slotSize); err != nil {
		return nil, err
	}
	k.cache[slot] = key
	return key, nil
}

// shred zeroes the slot on disk (synced) and in memory, then makes it free again.
func (k *keySlots) shred(slot uint32) error {
	k.mu.Lock()
	if key, ok := k.cache[slot]; ok {
		clear(key)
		delete(k.cache, slot)
	}
	_, err := k.f.WriteAt(make([]byte, slotSize), int64(slot)*slotSize)
	k.mu.Unlock()
	if err == nil {
		err = k.f.Sync()
	}
	if err != nil {
		return err
	}
	k.release(slot)
	return nil
}

// close zeroes the prepared slots no record took (as the next open would) and forgets every key.
func (k *keySlots) close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	var err error
	zero := make([]byte, slotSize)
	for _, s := range k.ready {
		if _, e := k.f.WriteAt(zero, int64(s)*slotSize); e != nil && err == nil {
			err = e
		}
	}
	k.ready = nil
	if e := k.f.Sync(); e != nil && err == nil {
		err = e
	}
	for s, key := range k.cache {
		clear(key)
		delete(k.cache, s)
	}
	if e := k.f.Close(); err == nil {
		err = e
	}
	return err
}

// seal is slot (4 bytes) | nonce (12) | AES-256-GCM(sealed, aad = record key).
func seal(slot uint32, key, recordKey, plain []byte) ([]byte, error) {
	g, err := gcm(key)
	if err != nil {
		return nil, err
	}
	out := binary.BigEndian.AppendUint32(make([]byte, 0, 4+12+len(plain)+16), slot)
	nonce := make([]byte, 12)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out = append(out, nonce...)
	return g.Seal(out, nonce, plain, recordKey), nil
}

func slotOf(stored []byte) (uint32, error) {
	if len(stored) < 4+12+16 {
		return 0, errors.New("stored value too short")
	}
	return binary.BigEndian.Uint32(stored), nil
}

func open(key, recordKey, stored []byte) ([]byte, error) {
	g, err := gcm(key)
	if err != nil {
		return nil, err
	}
	plain, err := g.Open(nil, stored[4:16], stored[16:], recordKey)
	if err != nil {
		return nil, fmt.Errorf("record does not decrypt under its key")
	}
	return plain, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}
