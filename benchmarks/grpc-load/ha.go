package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openkcm/keystore/sdk/go/keystore"
	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
)

// haRun measures two runtimes (separate processes on one OpenBao cluster) through their gRPC
// servers: keys created on the first are used on both. Each call is an Encrypt of 1 KiB under one
// of the hot L4 keys (the key opened from the runtime's cache, its state revalidated once per
// revocation bound). First the first runtime alone at 8 callers (the baseline), then both at once
// at 8 callers each; the sum is the two-runtime figure.
func haRun(addrs []string, tlsCfg keystore.MutualTLS, keys int, initialWarmup, warmup, measure time.Duration) {
	if len(addrs) != 2 {
		log.Fatalf("-ha wants two addresses, got %d", len(addrs))
	}
	const callers = 8
	ctx := context.Background()
	clients := make([][]*keystore.Client, len(addrs))
	for r, addr := range addrs {
		for i := 0; i < callers; i++ {
			c, err := keystore.Dial(addr, tlsCfg)
			check(err)
			clients[r] = append(clients[r], c)
		}
	}
	a := clients[0][0]
	l2, err := a.CreateKey(ctx, keystore.NewKey(pb.KeyTier_L2, keystore.Tenant("bench")))
	check(err)
	l3, err := a.CreateKey(ctx, keystore.NewKey(pb.KeyTier_L3, keystore.Tenant("bench")).Parent(l2.GetId()))
	check(err)
	var ids []string
	for i := 0; i < keys; i++ {
		l4, err := a.CreateKey(ctx, keystore.NewKey(pb.KeyTier_L4, keystore.Tenant("bench")).Parent(l3.GetId()))
		check(err)
		ids = append(ids, l4.GetId())
	}
	payload := bytes.Repeat([]byte("k"), 1024)
	// every key opens on the second runtime at once (no negative caching)
	for _, id := range ids {
		_, _, err := clients[1][0].Encrypt(ctx, id, payload, nil)
		check(err)
	}
	op := func(r int) func(int) error {
		var next atomic.Uint64
		return func(i int) error {
			id := ids[next.Add(1)%uint64(len(ids))]
			_, _, err := clients[r][i].Encrypt(ctx, id, payload, nil)
			return err
		}
	}
	for r := range addrs {
		run("warm-up", callers, initialWarmup, 0, op(r))
	}
	one := run("one runtime", callers, warmup, measure, op(0))
	both := make([]result, len(addrs))
	var wg sync.WaitGroup
	for r := range addrs {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			both[r] = run(fmt.Sprintf("runtime %d of 2", r+1), callers, warmup, measure, op(r))
		}(r)
	}
	wg.Wait()
	fmt.Println("| runtimes | callers | ops/s | p50 µs | p95 µs | errors |")
	fmt.Println("| --- | --- | --- | --- | --- | --- |")
	fmt.Printf("| one (baseline) | %d | %.0f | %.0f | %.0f | %d |\n", callers, one.ops, us(one.p50), us(one.p95), one.errors)
	sum := 0.0
	for r, b := range both {
		sum += b.ops
		fmt.Printf("| %d of two | %d | %.0f | %.0f | %.0f | %d |\n", r+1, callers, b.ops, us(b.p50), us(b.p95), b.errors)
	}
	fmt.Printf("RESULT ha_retrieve_ops_8_one_node %.0f\n", one.ops)
	fmt.Printf("RESULT ha_retrieve_ops_8_two_nodes %.0f\n", sum)
	for _, r := range append([]result{one}, both...) {
		if r.errors > 0 {
			log.Printf("%s: %d errors", r.name, r.errors)
			os.Exit(1)
		}
	}
}
