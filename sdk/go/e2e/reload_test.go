package e2e

import (
	"context"
	"crypto/tls"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openkcm/keystore/sdk/go/keystore"
	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/stats"
)

// eventually polls a condition (a reload is asynchronous); it fails the test after limit.
func eventually(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func serverCertSerial(t *testing.T) string {
	cfg, err := rt.tlsFor("app").Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.NextProtos = []string{"h2"}
	conn, err := tls.Dial("tcp", rt.addr(), cfg)
	if err != nil {
		return ""
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.String()
}

// connCounter counts the transport connections a client opens.
type connCounter struct{ n atomic.Int64 }

func (c *connCounter) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context   { return ctx }
func (c *connCounter) HandleRPC(context.Context, stats.RPCStats)                         {}
func (c *connCounter) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (c *connCounter) HandleConn(_ context.Context, s stats.ConnStats) {
	if _, ok := s.(*stats.ConnBegin); ok {
		c.n.Add(1)
	}
}

func TestClientTableAndCertificatesReloadWithoutDroppingConnections(t *testing.T) {
	conns := &connCounter{}
	app, err := keystore.Dial(rt.addr(), rt.tlsFor("app"), grpc.WithStatsHandler(conns))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if _, err := app.Key(ctx(t), "reload-probe", 1); keystore.Explain(err).Code != codes.NotFound {
		t.Fatalf("warm-up call: %v", err)
	}
	late := rt.client(t, "late")
	_, err = late.Key(ctx(t), "reload-probe", 1)
	expectCode(t, err, codes.PermissionDenied, "PermissionDenied")

	// the client table changes in config.yaml: the new client gets in, without a server restart
	rt.clientsExtra = []string{"identity=" + lateID + "; owners=tenant:late; ops=KeyService/*"}
	defer func() { rt.clientsExtra = nil; _ = rt.writeConfig() }()
	if err := rt.writeConfig(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "the late client is authorized", func() bool {
		_, err := late.Key(ctx(t), "reload-probe", 1)
		return keystore.Explain(err).Code == codes.NotFound
	})

	// the server certificate is replaced on disk: new handshakes present it
	before := serverCertSerial(t)
	if _, _, err := rt.ca.issue("server", "", true, time.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "new handshakes present the new server certificate", func() bool {
		s := serverCertSerial(t)
		return s != "" && s != before
	})

	// the connection opened before both changes still works, and the server never restarted
	if _, err := app.CreateKey(ctx(t), keystore.NewKey(pb.KeyTier_L2, keystore.Tenant("acme"))); err != nil {
		t.Fatalf("the old connection after the reloads: %v", err)
	}
	if n := conns.n.Load(); n != 1 {
		t.Fatalf("the connection was dropped by a reload: %d connections opened", n)
	}
	if n := strings.Count(rt.out.String(), "gRPC server listening"); n != 1 {
		t.Fatalf("the server was restarted %d time(s) by a reload", n-1)
	}
}
