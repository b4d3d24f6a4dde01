// Command plugin-load is the direct side of the plugin benchmark: it launches the reference plugin as a
// Go go-plugin host does (AutoMTLS, Unix socket, gRPC) and calls RetrieveKey from N goroutines, printing
// the throughput and p95 the Java host side is compared with.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	"github.com/openkcm/keystore/sdk/go/plugin"
)

// cpuTime is the CPU this process (the client side) used so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	bin := flag.String("plugin", "", "plugin executable")
	callers := flag.Int("callers", 8, "concurrent callers")
	records := flag.Int("records", 1000, "records stored before the retrieve phase")
	duration := flag.Duration("duration", 5*time.Second, "measured time")
	warmup := flag.Duration("warmup", 2*time.Second, "unmeasured time before")
	flag.Parse()
	dir, err := os.MkdirTemp("", "plugin-load")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	c := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: plugin.Handshake, Plugins: plugin.PluginMap,
		Cmd:              exec.Command(*bin, "-db", filepath.Join(dir, "ks.db")),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC}, AutoMTLS: true,
		Logger: hclog.New(&hclog.LoggerOptions{Level: hclog.Error, Output: os.Stderr}),
	})
	defer c.Kill()
	rpc, err := c.Client()
	if err != nil {
		panic(err)
	}
	raw, err := rpc.Dispense(plugin.Type)
	if err != nil {
		panic(err)
	}
	ks := raw.(pb.KeystoreOperationsClient)
	ctx := context.Background()
	sealed := make([]byte, 256)
	_, _ = rand.Read(sealed)
	for i := 0; i < *records; i++ {
		md := &pb.KeyMetadata{Id: fmt.Sprintf("bench-%05d", i), Version: 1, Tier: pb.KeyTier_L2, Algorithm: "AES-256-GCM", KeySize: 256,
			Status: pb.KeyStatus_ACTIVE, Owner: &pb.Owner{Type: pb.OwnerType_TENANT, Id: "bench"}}
		if _, err := ks.StoreKey(ctx, &pb.StoreKeyRequest{Metadata: md, Sealed: sealed}); err != nil {
			panic(err)
		}
	}
	refs := make([]*pb.RetrieveKeyRequest, *records)
	for i := range refs {
		refs[i] = &pb.RetrieveKeyRequest{Ref: &pb.KeyRef{Id: fmt.Sprintf("bench-%05d", i), Version: 1}}
	}
	phase := func(d time.Duration) (float64, time.Duration) {
		var ops atomic.Int64
		var mu sync.Mutex
		var lat []time.Duration
		stop := time.Now().Add(d)
		var wg sync.WaitGroup
		for w := 0; w < *callers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				var mine []time.Duration
				for i := w; time.Now().Before(stop); i += *callers {
					t := time.Now()
					if _, err := ks.RetrieveKey(ctx, refs[i%*records]); err != nil {
						panic(err)
					}
					mine = append(mine, time.Since(t))
					ops.Add(1)
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			}(w)
		}
		wg.Wait()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		p95 := time.Duration(0)
		if len(lat) > 0 {
			p95 = lat[len(lat)*95/100]
		}
		return float64(ops.Load()) / d.Seconds(), p95
	}
	phase(*warmup)
	cpu0 := cpuTime()
	ops, p95 := phase(*duration)
	perOp := (cpuTime() - cpu0).Microseconds() / max(1, int64(ops*duration.Seconds()))
	fmt.Printf("direct_retrieve_ops_%d %.0f\ndirect_retrieve_p95_us_%d %d\ndirect_client_cpu_us_per_op %d\n", *callers, ops, *callers, p95.Microseconds(), perOp)
}
