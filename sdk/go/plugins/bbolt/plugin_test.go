package main

import (
	"context"
	"crypto/sha256"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	goplugin "github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-hclog"
	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	"github.com/openkcm/keystore/sdk/go/plugin"
	"github.com/openkcm/keystore/sdk/go/plugin/conformance"
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
