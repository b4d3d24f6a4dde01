package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openkcm/keystore/sdk/go/keystore"
	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
)

func sha256File(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// pluginPids lists the running processes whose executable is path.
func pluginPids(path string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || strings.TrimSuffix(exe, " (deleted)") != path {
			continue
		}
		if st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil && !strings.Contains(string(st), ") Z ") {
			pids = append(pids, pid)
		}
	}
	return pids
}

func pluginEntry(path, checksum, db string) string {
	return fmt.Sprintf("- name: gobolt\n  path: %s\n  type: KeystoreOperations\n  args: [\"-db\", %q]\n  checksum: %s\n  logLevel: warn\n", path, db, checksum)
}

// TestConfigYamlChecksumSwapOfAPluginWhileCallersRunFailsNothing: a running runtime hosts the reference
// plugin from its config.yaml plugins: list; the entry's path and checksum are edited to a new binary
// while 8 Go callers store and read back through the gRPC API. The new process takes over, the old one
// exits, no request fails (not even with UNAVAILABLE: the gap stays within plugins.absentWait) and
// every acknowledged write is readable afterwards.
func TestConfigYamlChecksumSwapOfAPluginWhileCallersRunFailsNothing(t *testing.T) {
	dir := t.TempDir()
	v1 := filepath.Join(dir, "keystore-bbolt-v1")
	if out, err := exec.Command("go", "build", "-o", v1, "../plugins/bbolt").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(v1)
	if err != nil {
		t.Fatal(err)
	}
	v2 := filepath.Join(dir, "keystore-bbolt-v2")
	// trailing bytes: the same program under another checksum, as a rebuilt binary would be
	if err := os.WriteFile(v2, append(raw, 1, 2, 3, 4), 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "ks.db")
	rt.plugins = []string{pluginEntry(v1, sha256File(t, v1), db)}
	if err := rt.writeConfig(); err != nil {
		t.Fatal(err)
	}
	c := rt.client(t, "app")
	var acknowledged []string
	defer func() {
		// the runtime refuses to drop a backend that holds keys from its routing: empty it first
		var dw sync.WaitGroup
		for g := 0; g < 8; g++ {
			dw.Add(1)
			go func(g int) {
				defer dw.Done()
				for i := g; i < len(acknowledged); i += 8 {
					_, _ = c.Records.DeleteKey(ctx(t), &pb.DeleteKeyRequest{Ref: keystore.Ref(acknowledged[i], 1)})
				}
			}(g)
		}
		dw.Wait()
		rt.plugins = nil
		_ = rt.writeConfig()
		eventually(t, 60*time.Second, "the plugin entry removed", func() bool { return len(pluginPids(v1))+len(pluginPids(v2)) == 0 })
	}()
	eventually(t, 60*time.Second, "gobolt serving", func() bool { return backendServing(t, c, "gobolt") && len(pluginPids(v1)) == 1 })
	first := pluginPids(v1)[0]

	var ok atomic.Int64
	var mu sync.Mutex
	var failures []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("plugswap-%d-%d", g, i)
				cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				req := sealedRecord(id, keystore.Tenant("plug"))
				_, err := c.Records.StoreKey(cctx, req)
				if err == nil {
					mu.Lock()
					acknowledged = append(acknowledged, id)
					mu.Unlock()
					var got *pb.RetrieveKeyResponse
					got, err = c.Records.RetrieveKey(cctx, &pb.RetrieveKeyRequest{Ref: keystore.Ref(id, 1)})
					if err == nil && !bytes.Equal(got.GetRecord().GetSealed(), req.GetSealed()) {
						err = fmt.Errorf("read back other bytes")
					}
				}
				cancel()
				if err != nil {
					mu.Lock()
					if len(failures) < 10 {
						e := keystore.Explain(err)
						failures = append(failures, fmt.Sprintf("%s: %v %s %q", id, e.Code, e.Reason, e.Message))
					}
					mu.Unlock()
					continue
				}
				ok.Add(1)
			}
		}(g)
	}
	halted := false
	halt := func() {
		if !halted {
			halted = true
			close(stop)
			wg.Wait()
		}
	}
	defer halt()
	eventually(t, 30*time.Second, "callers succeed before the swap", func() bool { return ok.Load() >= 200 })

	rt.plugins = []string{pluginEntry(v2, sha256File(t, v2), db)}
	if err := rt.writeConfig(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "the new binary runs and the old process is gone", func() bool {
		return len(pluginPids(v2)) == 1 && len(pluginPids(v1)) == 0
	})
	atSwitch := ok.Load()
	eventually(t, 30*time.Second, "callers succeed on the new process", func() bool { return ok.Load() >= atSwitch+200 })
	halt()
	if len(failures) > 0 {
		t.Fatalf("requests failed across the checksum swap (old pid %d): %v", first, failures)
	}
	for _, id := range acknowledged {
		got, err := c.Records.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: keystore.Ref(id, 1)})
		if err != nil || len(got.GetRecord().GetSealed()) == 0 {
			t.Fatalf("acknowledged write %s after the swap: %v", id, err)
		}
	}
	t.Logf("checksum swap: %d requests ok, none failed, %d acknowledged writes all present", ok.Load(), len(acknowledged))
}
