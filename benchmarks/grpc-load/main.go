// Command grpc-load is the load driver of benchmarks/run-grpc.sh (and, with -ha, of the two-runtime
// figures of benchmarks/run-ha.sh): Go callers at 1/8/32 with 1 KiB
// payloads against the keystore's gRPC KeyService (Encrypt, Decrypt, CreateKey L4), OpenBao Transit
// over HTTP (encrypt/decrypt of the same payload) and a bare grpc-java echo server (the transport
// floor), all in the same run. Prints a Markdown table and one RESULT line per figure.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openkcm/keystore/sdk/go/keystore"
	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
)

type result struct {
	name    string
	callers int
	ops     float64
	p50     time.Duration
	p95     time.Duration
	errors  int64
}

func main() {
	ks := flag.String("keystore", "", "keystore gRPC address")
	echo := flag.String("echo", "", "echo server gRPC address")
	transit := flag.String("transit", "", "OpenBao address, e.g. http://127.0.0.1:8200")
	token := flag.String("transit-token", os.Getenv("BAO_TOKEN"), "OpenBao token")
	certs := flag.String("certs", "", "folder with ca.pem, app.pem, app-key.pem")
	warmup := flag.Duration("warmup", time.Second, "warm-up per phase")
	measure := flag.Duration("duration", 3*time.Second, "measurement per phase")
	initialWarmup := flag.Duration("initial-warmup", 3*time.Second, "warm-up of each operation before the first measurement")
	callersFlag := flag.String("callers", "1,8,32", "caller counts")
	ha := flag.String("ha", "", "two keystore gRPC addresses (runtimes on one OpenBao cluster), comma-separated: only the two-runtime retrieve figures")
	haKeys := flag.Int("ha-keys", 32, "hot L4 keys in the -ha run")
	flag.Parse()

	tlsCfg := keystore.MutualTLS{CA: *certs + "/ca.pem", Cert: *certs + "/app.pem", Key: *certs + "/app-key.pem", ServerName: "localhost"}
	if *ha != "" {
		haRun(strings.Split(*ha, ","), tlsCfg, *haKeys, *initialWarmup, *warmup, *measure)
		return
	}
	var callers []int
	for _, c := range strings.Split(*callersFlag, ",") {
		n, err := strconv.Atoi(c)
		if err != nil {
			log.Fatal(err)
		}
		callers = append(callers, n)
	}
	maxCallers := callers[len(callers)-1]
	payload := bytes.Repeat([]byte("k"), 1024)

	// one connection per caller, as independent services would have
	dial := func(addr string, n int) []*keystore.Client {
		out := make([]*keystore.Client, n)
		for i := range out {
			c, err := keystore.Dial(addr, tlsCfg)
			if err != nil {
				log.Fatal(err)
			}
			out[i] = c
		}
		return out
	}
	ksClients, echoClients := dial(*ks, maxCallers), dial(*echo, maxCallers)
	ctx := context.Background()
	l2, err := ksClients[0].CreateKey(ctx, keystore.NewKey(pb.KeyTier_L2, keystore.Tenant("bench")))
	check(err)
	l3, err := ksClients[0].CreateKey(ctx, keystore.NewKey(pb.KeyTier_L3, keystore.Tenant("bench")).Parent(l2.GetId()))
	check(err)
	l4, err := ksClients[0].CreateKey(ctx, keystore.NewKey(pb.KeyTier_L4, keystore.Tenant("bench")).Parent(l3.GetId()))
	check(err)
	ct, _, err := ksClients[0].Encrypt(ctx, l4.GetId(), payload, nil)
	check(err)

	bao := &transitClient{addr: *transit, token: *token, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	baoCT, err := bao.encrypt(payload)
	check(err)

	type phase struct {
		name string
		op   func(caller int) error
	}
	phases := []phase{
		{"grpc encrypt", func(i int) error { _, _, err := ksClients[i].Encrypt(ctx, l4.GetId(), payload, nil); return err }},
		{"grpc decrypt", func(i int) error { _, err := ksClients[i].Decrypt(ctx, l4.GetId(), ct, nil); return err }},
		{"transit encrypt", func(int) error { _, err := bao.encrypt(payload); return err }},
		{"transit decrypt", func(int) error { return bao.decrypt(baoCT) }},
		{"echo (grpc-java, no work)", func(i int) error { _, _, err := echoClients[i].Encrypt(ctx, "echo", payload, nil); return err }},
		{"grpc create L4", func(i int) error {
			_, err := ksClients[i].CreateKey(ctx, keystore.NewKey(pb.KeyTier_L4, keystore.Tenant("bench")).Parent(l3.GetId()))
			return err
		}},
	}
	// JIT warm-up of every server path (and the Go side) before anything is measured
	for _, p := range phases {
		run(p.name, 8, *initialWarmup, 0, p.op)
	}
	var results []result
	for _, n := range callers {
		for _, p := range phases {
			results = append(results, run(p.name, n, *warmup, *measure, p.op))
		}
	}

	fmt.Println("| operation | callers | ops/s | p50 µs | p95 µs | errors |")
	fmt.Println("| --- | --- | --- | --- | --- | --- |")
	for _, r := range results {
		fmt.Printf("| %s | %d | %.0f | %.0f | %.0f | %d |\n", r.name, r.callers, r.ops, us(r.p50), us(r.p95), r.errors)
	}
	get := func(name string, n int) result {
		for _, r := range results {
			if r.name == name && r.callers == n {
				return r
			}
		}
		log.Fatalf("no result %s/%d", name, n)
		return result{}
	}
	fmt.Printf("RESULT grpc_encrypt_vs_transit_8 %.2f\n", get("grpc encrypt", 8).ops/get("transit encrypt", 8).ops)
	fmt.Printf("RESULT grpc_encrypt_vs_echo_p50_1 %.2f\n", float64(get("grpc encrypt", 1).p50)/float64(get("echo (grpc-java, no work)", 1).p50))
	fmt.Printf("RESULT grpc_create_l4_ops_8 %.0f\n", get("grpc create L4", 8).ops)
	fmt.Printf("RESULT grpc_create_l4_p95_ms_8 %.2f\n", float64(get("grpc create L4", 8).p95)/float64(time.Millisecond))
	for _, r := range results {
		if r.errors > 0 {
			log.Printf("%s at %d callers: %d errors", r.name, r.callers, r.errors)
			os.Exit(1)
		}
	}
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// run drives op from n callers: warm-up, then a measured window; latencies of every measured call.
func run(name string, n int, warmup, measure time.Duration, op func(caller int) error) result {
	var measuring atomic.Bool
	var errs atomic.Int64
	stop := make(chan struct{})
	lat := make([][]time.Duration, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				t := time.Now()
				err := op(i)
				d := time.Since(t)
				if measuring.Load() {
					lat[i] = append(lat[i], d)
					if err != nil {
						errs.Add(1)
					}
				}
			}
		}(i)
	}
	time.Sleep(warmup) // load phases are timed by design: this is a benchmark, not a test
	measuring.Store(true)
	start := time.Now()
	time.Sleep(measure)
	measuring.Store(false)
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(a, b int) bool { return all[a] < all[b] })
	if len(all) == 0 {
		return result{name: name, callers: n, errors: errs.Load()}
	}
	return result{name: name, callers: n, ops: float64(len(all)) / elapsed.Seconds(), p50: all[len(all)/2],
		p95: all[len(all)*95/100], errors: errs.Load()}
}

// transitClient speaks OpenBao's Transit HTTP API (the tool a user would pick instead).
type transitClient struct {
	addr, token string
	http        *http.Client
}

func (t *transitClient) post(path string, body any, out any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, t.addr+"/v1/transit/"+path, bytes.NewReader(b))
	req.Header.Set("X-Vault-Token", t.token)
	resp, err := t.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("transit %s: HTTP %d", path, resp.StatusCode)
	}
	return json.Unmarshal(data, out)
}

type transitData struct {
	Data struct {
		Ciphertext string `json:"ciphertext"`
		Plaintext  string `json:"plaintext"`
	} `json:"data"`
}

func (t *transitClient) encrypt(p []byte) (string, error) {
	var out transitData
	err := t.post("encrypt/bench", map[string]string{"plaintext": base64.StdEncoding.EncodeToString(p)}, &out)
	return out.Data.Ciphertext, err
}

func (t *transitClient) decrypt(ct string) error {
	var out transitData
	return t.post("decrypt/bench", map[string]string{"ciphertext": ct}, &out)
}
