package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openkcm/keystore/sdk/go/keystore"
	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health/grpc_health_v1"
)

func backendServing(t *testing.T, c *keystore.Client, name string) bool {
	r, err := c.Health.Check(ctx(t), &grpc_health_v1.HealthCheckRequest{Service: "openkcm.keystore.backend." + name})
	return err == nil && r.GetStatus() == grpc_health_v1.HealthCheckResponse_SERVING
}

// swapLoad runs callers against the scratch backend (owner tenant:swap routes there) and sorts what they see.
type swapLoad struct {
	ok, unavailable atomic.Int64
	mu              sync.Mutex
	unexpected      []string
	stop            chan struct{}
	once            sync.Once
	wg              sync.WaitGroup
}

func (l *swapLoad) halt() {
	l.once.Do(func() { close(l.stop) })
	l.wg.Wait()
}

func (l *swapLoad) run(c *keystore.Client, callers int) {
	l.stop = make(chan struct{})
	for g := 0; g < callers; g++ {
		l.wg.Add(1)
		go func(g int) {
			defer l.wg.Done()
			for i := 0; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				var err error
				if i%2 == 0 {
					_, err = c.Records.StoreKey(cctx, sealedRecord(fmt.Sprintf("swap-%d-%d", g, i), keystore.Tenant("swap")))
				} else {
					_, err = c.Records.ListKeys(cctx, &pb.ListKeysRequest{Filter: &pb.KeyFilter{Owner: keystore.Tenant("swap"), PageSize: 5}})
				}
				cancel()
				l.record(err)
			}
		}(g)
	}
}

func (l *swapLoad) record(err error) {
	if err == nil {
		l.ok.Add(1)
		return
	}
	e := keystore.Explain(err)
	if e.Code == codes.Unavailable && e.RetryDelay > 0 && (e.Reason == "BackendUnavailable" || e.Reason == "BackendSealed") {
		l.unavailable.Add(1)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.unexpected) < 20 {
		l.unexpected = append(l.unexpected, fmt.Sprintf("%v %s %q retry=%s", e.Code, e.Reason, e.Message, e.RetryDelay))
	}
}

func TestBackendHotSwapWhileGoCallersRunSeesOnlyUnavailableWithRetryInfo(t *testing.T) {
	c := rt.client(t, "app")
	eventually(t, 30*time.Second, "scratch backend serving", func() bool { return backendServing(t, c, "scratch") })
	deployed := filepath.Join(rt.dir, "bundles", "openkcm-keystore-testbackend.jar")

	load := &swapLoad{}
	load.run(c, 8)
	defer load.halt()
	eventually(t, 30*time.Second, "callers succeed before the swap", func() bool { return load.ok.Load() >= 50 })

	if err := os.Remove(deployed); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "health reports scratch NOT_SERVING", func() bool { return !backendServing(t, c, "scratch") })
	eventually(t, 30*time.Second, "callers see UNAVAILABLE while scratch is gone", func() bool { return load.unavailable.Load() > 0 })
	okBefore := load.ok.Load()

	if err := copyFile(rt.testbackend, deployed); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "scratch serving again", func() bool { return backendServing(t, c, "scratch") })
	eventually(t, 30*time.Second, "callers succeed after the swap", func() bool { return load.ok.Load() >= okBefore+50 })

	load.halt()
	if len(load.unexpected) > 0 {
		t.Fatalf("during the swap callers saw more than UNAVAILABLE with retry info: %v", load.unexpected)
	}
	t.Logf("swap: %d ok, %d UNAVAILABLE with retry info, nothing else", load.ok.Load(), load.unavailable.Load())
}

func TestHealthReflectsBackends(t *testing.T) {
	c := rt.client(t, "app")
	for _, s := range []string{"", "openkcm.keystore.v1.KeyService", "openkcm.keystore.v1.KeystoreOperations", "openkcm.keystore.backend.inmemory"} {
		r, err := c.Health.Check(ctx(t), &grpc_health_v1.HealthCheckRequest{Service: s})
		if err != nil || r.GetStatus() != grpc_health_v1.HealthCheckResponse_SERVING {
			t.Fatalf("health of %q: %v %v", s, r, err)
		}
	}
	_, err := c.Health.Check(ctx(t), &grpc_health_v1.HealthCheckRequest{Service: "openkcm.keystore.backend.nosuch"})
	expectCode(t, err, codes.NotFound, "")
}
