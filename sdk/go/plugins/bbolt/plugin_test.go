package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	"github.com/openkcm/keystore/sdk/go/plugin"
	"github.com/openkcm/keystore/sdk/go/plugin/conformance"
	bolt "go.etcd.io/bbolt"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// buildPlugin compiles this command into a temporary folder, as an operator would deploy it.
func buildPlugin(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "keystore-bbolt")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func checksum(t *testing.T, bin string) []byte {
	f, err := os.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	_, _ = io.Copy(h, f)
	return h.Sum(nil)
}

// launch starts the plugin the way OpenKCM's Go host does: go-plugin client, gRPC only, AutoMTLS,
// SHA-256 checked, and returns the dispensed client.
func launch(t *testing.T, bin, db string) (*goplugin.Client, pb.KeystoreOperationsClient) {
	t.Helper()
	cmd := exec.Command(bin, "-db", db)
	c := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  plugin.Handshake,
		Plugins:          plugin.PluginMap,
		Cmd:              cmd,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		AutoMTLS:         true,
		SecureConfig:     &goplugin.SecureConfig{Checksum: checksum(t, bin), Hash: sha256.New()},
		Logger:           hclog.New(&hclog.LoggerOptions{Level: hclog.Warn, Output: os.Stderr}),
		StartTimeout:     30 * time.Second,
	})
	rpc, err := c.Client()
	if err != nil {
		c.Kill()
		t.Fatalf("plugin start: %v", err)
	}
	raw, err := rpc.Dispense(plugin.Type)
	if err != nil {
		c.Kill()
		t.Fatalf("dispense: %v", err)
	}
	return c, raw.(pb.KeystoreOperationsClient)
}

func TestConformanceInAGoHost(t *testing.T) {
	bin := buildPlugin(t)
	c, ks := launch(t, bin, filepath.Join(t.TempDir(), "ks.db"))
	defer c.Kill()
	conformance.Run(t, ks)
}

func TestRecordsSurviveARestartOfThePlugin(t *testing.T) {
	bin := buildPlugin(t)
	db := filepath.Join(t.TempDir(), "ks.db")
	c, ks := launch(t, bin, db)
	ctx := context.Background()
	md := &pb.KeyMetadata{Id: "persist", Version: 1, Tier: pb.KeyTier_L3, Algorithm: "AES-256-GCM", KeySize: 256,
		Status: pb.KeyStatus_ACTIVE, Owner: &pb.Owner{Type: pb.OwnerType_SERVICE, Id: "svc"}}
	if _, err := ks.StoreKey(ctx, &pb.StoreKeyRequest{Metadata: md, Sealed: []byte{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	c.Kill()
	c2, ks2 := launch(t, bin, db)
	defer c2.Kill()
	got, err := ks2.RetrieveKey(ctx, &pb.RetrieveKeyRequest{Ref: &pb.KeyRef{Id: "persist", Version: 1}})
	if err != nil || string(got.GetRecord().GetSealed()) != "\x01\x02\x03" {
		t.Fatalf("after restart: %v %v", got, err)
	}
	l, err := ks2.ListKeys(ctx, &pb.ListKeysRequest{Filter: &pb.KeyFilter{Owner: md.Owner}})
	if err != nil || len(l.GetItems()) != 1 {
		t.Fatalf("owner index after restart: %v %v", l, err)
	}
}

func TestConfigureRejectsUnknownSettings(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "c.db"), "bbolt")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Configure(context.Background(), "maxRecordBytes: 100\n"); err != nil {
		t.Fatal(err)
	}
	if info, _ := s.Info(context.Background(), &pb.InfoRequest{}); info.GetMaxRecordBytes() != 100 {
		t.Fatalf("maxRecordBytes not applied: %v", info)
	}
	if err := s.Configure(context.Background(), "token: x\n"); err == nil {
		t.Fatal("an unknown setting was accepted")
	}
}

// TestDeleteShredsTheRecordsKey: after a delete neither the bbolt file nor the key file holds anything that
// opens the sealed bytes: the sealed bytes never appear in clear in the bbolt file, and the record's key
// slot is zeroed in place (and slots prepared for records not stored yet are zeroed on close).
func TestDeleteShredsTheRecordsKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ks.db")
	s, err := Open(db, "bbolt")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	secret := []byte("SEALED-BYTES-THAT-MUST-NOT-SURVIVE-0123456789")
	md := &pb.KeyMetadata{Id: "shred", Version: 1, Tier: pb.KeyTier_L2, Algorithm: "AES-256-GCM", KeySize: 256,
		Status: pb.KeyStatus_ACTIVE, Owner: &pb.Owner{Type: pb.OwnerType_TENANT, Id: "acme"}}
	if _, err := s.StoreKey(ctx, &pb.StoreKeyRequest{Metadata: md, Sealed: secret}); err != nil {
		t.Fatal(err)
	}
	var slot uint32
	_ = s.db.View(func(tx *bolt.Tx) error {
		rec := &pb.KeyRecord{}
		_ = proto.Unmarshal(tx.Bucket(recordsBucket).Get(recordKey("shred", 1)), rec)
		slot, err = slotOf(rec.GetSealed())
		return nil
	})
	keysBefore, _ := os.ReadFile(db + ".keys")
	if err != nil || len(keysBefore) < int(slot+1)*slotSize || string(keysBefore[slot*slotSize:(slot+1)*slotSize]) == string(make([]byte, slotSize)) {
		t.Fatalf("expected a live key in the record's slot %d (%v), key file %d bytes", slot, err, len(keysBefore))
	}
	if _, err := s.DeleteKey(ctx, &pb.DeleteKeyRequest{Ref: &pb.KeyRef{Id: "shred", Version: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(db)
	if strings.Contains(string(raw), string(secret)) {
		t.Fatal("the sealed bytes are in the bbolt file in clear")
	}
	keysAfter, _ := os.ReadFile(db + ".keys")
	if string(keysAfter) != string(make([]byte, len(keysAfter))) {
		t.Fatal("a key slot was not zeroed: the record's (shredded) or a prepared one no record took")
	}
	// a tampered key file makes the record an Integrity error, never wrong bytes
	s2, _ := Open(db, "bbolt")
	defer s2.Close()
	if _, err := s2.StoreKey(ctx, &pb.StoreKeyRequest{Metadata: md, Sealed: secret}); err != nil {
		t.Fatal(err)
	}
	_ = s2.db.View(func(tx *bolt.Tx) error {
		rec := &pb.KeyRecord{}
		_ = proto.Unmarshal(tx.Bucket(recordsBucket).Get(recordKey("shred", 1)), rec)
		slot, _ = slotOf(rec.GetSealed())
		return nil
	})
	f, _ := os.OpenFile(db+".keys", os.O_WRONLY, 0)
	_, _ = f.WriteAt([]byte{0xFF}, int64(slot)*slotSize)
	f.Close()
	s2.slots.cache = map[uint32][]byte{}
	_, err = s2.RetrieveKey(ctx, &pb.RetrieveKeyRequest{Ref: &pb.KeyRef{Id: "shred", Version: 1}})
	if status.Code(err) != codes.DataLoss {
		t.Fatalf("tampered key: got %v, want DATA_LOSS", err)
	}
}

// TestThePluginExitsWhenItsHostIsKilled: the host (here a shell standing in for the JVM) is killed with
// SIGKILL; the plugin notices it was re-parented and exits, so it never outlives the runtime.
func TestThePluginExitsWhenItsHostIsKilled(t *testing.T) {
	bin := buildPlugin(t)
	db := filepath.Join(t.TempDir(), "ks.db")
	host := exec.Command("/bin/sh", "-c", `"$0" -db "$1" </dev/null >/dev/null 2>&1 & echo $!; exec sleep 60`, bin, db)
	host.Env = []string{plugin.Type + "=" + plugin.Type, "PLUGIN_PROTOCOL_VERSIONS=1"}
	out, err := host.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmt.Fscan(out, &pid); err != nil {
		t.Fatal(err)
	}
	alive := func() bool { return syscall.Kill(pid, 0) == nil }
	waitFor := func(what string, cond func() bool) {
		deadline := time.Now().Add(10 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out: %s", what)
			}
			time.Sleep(20 * time.Millisecond) // poll interval
		}
	}
	waitFor("plugin serving", func() bool { _, err := os.Stat(db); return err == nil && alive() })
	_ = host.Process.Kill() // SIGKILL: no chance to stop the plugin
	_ = host.Wait()
	waitFor("plugin exited after its host was killed", func() bool {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		return err != nil || strings.Contains(string(b), ") Z ") // gone, or a zombie of init
	})
}
