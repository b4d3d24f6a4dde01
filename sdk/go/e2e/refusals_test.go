package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/openkcm/keystore/sdk/go/keystore"
	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/reflection/grpc_reflection_v1"
)

// sameAnswer: a key of another owner must be indistinguishable from a key that does not exist.
func sameAnswer(t *testing.T, hidden, missing error) {
	t.Helper()
	h, m := keystore.Explain(hidden), keystore.Explain(missing)
	if h.Code != codes.NotFound || h != m {
		t.Fatalf("another owner's key answers %+v, a missing key %+v: must be the same NOT_FOUND", h, m)
	}
}

func TestWrongOwnerSeesNotFoundLikeAMissingKey(t *testing.T) {
	app, other := rt.client(t, "app"), rt.client(t, "other")
	_, _, l4, _ := hierarchy(t, app, "wrong-owner")
	_, hidden := other.Key(ctx(t), l4.GetId(), 1)
	_, missing := other.Key(ctx(t), "never-created", 1)
	sameAnswer(t, hidden, missing)
	_, _, hidden = other.Encrypt(ctx(t), l4.GetId(), []byte("x"), nil)
	_, _, missing = other.Encrypt(ctx(t), "never-created", []byte("x"), nil)
	sameAnswer(t, hidden, missing)
	sameAnswer(t, other.Destroy(ctx(t), l4.GetId(), true), other.Destroy(ctx(t), "never-created", true))
	_, hidden = other.Rotate(ctx(t), l4.GetId())
	_, missing = other.Rotate(ctx(t), "never-created")
	sameAnswer(t, hidden, missing)
	_, hidden = other.Export(ctx(t), l4.GetId(), 1)
	_, missing = other.Export(ctx(t), "never-created", 1)
	sameAnswer(t, hidden, missing)
	// and nothing happened to the key
	if m, err := app.Key(ctx(t), l4.GetId(), 0); err != nil || m.GetVersion() != 1 || m.GetStatus() != pb.KeyStatus_ACTIVE {
		t.Fatalf("the owner's key after another owner's attempts: %v %v", m, err)
	}
	list, err := other.Keys.ListKeys(ctx(t), &pb.KeyListRequest{Filter: &pb.KeyFilter{IdPrefix: "wrong-owner-"}})
	if err != nil || len(list.GetItems()) != 0 {
		t.Fatalf("another owner lists nothing: %v %v", list, err)
	}
	_, err = other.CreateKey(ctx(t), keystore.NewKey(pb.KeyTier_L4, keystore.Tenant("other")).Parent(l4.GetParent().GetId()))
	if keystore.Explain(err).Code != codes.NotFound {
		t.Fatalf("a child under another owner's parent: want NOT_FOUND, got %v", err)
	}
}

func TestOperationsNotGrantedAreDenied(t *testing.T) {
	app, reader := rt.client(t, "app"), rt.client(t, "reader")
	_, _, l4, _ := hierarchy(t, app, "grants")
	if _, _, err := reader.Encrypt(ctx(t), l4.GetId(), []byte("ok"), nil); err != nil {
		t.Fatalf("reader (subject identity) may encrypt: %v", err)
	}
	_, err := reader.CreateKey(ctx(t), keystore.NewKey(pb.KeyTier_L2, keystore.Tenant("acme")))
	expectCode(t, err, codes.PermissionDenied, "PermissionDenied")
	_, err = reader.Export(ctx(t), l4.GetId(), 1)
	expectCode(t, err, codes.PermissionDenied, "PermissionDenied")
	_, err = reader.Keys.CreateKey(ctx(t), keystore.NewKey(pb.KeyTier_L4, keystore.Service("acme-billing")).Parent(l4.GetParent().GetId()).WithMaterial().Request())
	expectCode(t, err, codes.PermissionDenied, "PermissionDenied")
	_, err = reader.Records.Info(ctx(t), &pb.InfoRequest{})
	expectCode(t, err, codes.PermissionDenied, "PermissionDenied")
	// app may not ask for the material of a non-L4 key at creation either, and nothing is created
	_, err = app.Keys.CreateKey(ctx(t), keystore.NewKey(pb.KeyTier_L2, keystore.Tenant("acme")).ID("grants-l2-material").WithMaterial().Request())
	expectCode(t, err, codes.PermissionDenied, "PermissionDenied")
	_, err = app.Key(ctx(t), "grants-l2-material", 1)
	expectCode(t, err, codes.NotFound, "KeyNotFound")
}

func TestUnknownClientIsDenied(t *testing.T) {
	_, err := rt.client(t, "stranger").Key(ctx(t), "anything", 1)
	expectCode(t, err, codes.PermissionDenied, "PermissionDenied")
}

func TestConnectionsWithoutAValidClientCertificateAreRefused(t *testing.T) {
	cases := map[string]keystore.Transport{
		"no certificate":      rt.tlsFor(""),
		"expired certificate": rt.tlsFor("expired"),
		"plaintext":           keystore.Plaintext{},
	}
	untrusted, err := newPKI(t.TempDir(), "rogue-ca")
	if err != nil {
		t.Fatal(err)
	}
	cert, key := mustIssue(t, untrusted, "rogue", appID, time.Now().Add(time.Hour))
	cases["certificate of an unknown CA with a known identity"] = keystore.MutualTLS{CA: rt.cert("ca"), Cert: cert, Key: key, ServerName: "localhost"}
	for name, transport := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := keystore.Dial(rt.addr(), transport)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, err = c.Key(ctx(t), "anything", 1)
			expectCode(t, err, codes.Unavailable, "")
		})
	}
}

func TestTLS13Only(t *testing.T) {
	cfg, err := rt.tlsFor("app").Config()
	if err != nil {
		t.Fatal(err)
	}
	cfg.MinVersion, cfg.MaxVersion, cfg.NextProtos = tls.VersionTLS12, tls.VersionTLS12, []string{"h2"}
	if conn, err := tls.Dial("tcp", rt.addr(), cfg); err == nil {
		conn.Close()
		t.Fatalf("a TLS 1.2 handshake succeeded")
	}
}

func TestReflectionIsOffOutsideDevelopmentMode(t *testing.T) {
	conn := rt.client(t, "app").Conn()
	stream, err := grpc_reflection_v1.NewServerReflectionClient(conn).ServerReflectionInfo(ctx(t))
	if err == nil {
		_ = stream.Send(&grpc_reflection_v1.ServerReflectionRequest{MessageRequest: &grpc_reflection_v1.ServerReflectionRequest_ListServices{}})
		_, err = stream.Recv()
	}
	expectCode(t, err, codes.Unimplemented, "")
}

func TestErrorCodes(t *testing.T) {
	c := rt.client(t, "app")
	_, _, l4, _ := hierarchy(t, c, "codes")

	_, err := c.Key(ctx(t), "codes-missing", 1)
	expectCode(t, err, codes.NotFound, "KeyNotFound")

	_, err = c.CreateKey(ctx(t), keystore.NewKey(pb.KeyTier_L4, keystore.Service("acme-billing")).ID(l4.GetId()).Parent(l4.GetParent().GetId()))
	expectCode(t, err, codes.AlreadyExists, "KeyAlreadyExists")

	_, err = c.CreateKey(ctx(t), keystore.NewKey(pb.KeyTier_KEY_TIER_UNSPECIFIED, keystore.Tenant("acme")))
	if e := expectCode(t, err, codes.InvalidArgument, "InvalidKeyRequest"); e.Field != "tier" {
		t.Fatalf("INVALID_ARGUMENT names the field: got %q", e.Field)
	}

	ct, _, err := c.Encrypt(ctx(t), l4.GetId(), []byte("integrity"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tampered := append([]byte(nil), ct...)
	tampered[len(tampered)-1] ^= 0x01
	_, err = c.Decrypt(ctx(t), l4.GetId(), tampered, nil)
	expectCode(t, err, codes.DataLoss, "Integrity")

	// larger than grpc.maxMessageBytes (64 KiB here): refused before it is parsed
	_, _, err = c.Encrypt(ctx(t), l4.GetId(), bytes.Repeat([]byte{1}, 70*1024), nil)
	expectCode(t, err, codes.ResourceExhausted, "")

	// the client's deadline is honoured: nothing is created when it has passed
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err = c.CreateKey(expired, keystore.NewKey(pb.KeyTier_L2, keystore.Tenant("acme")).ID("codes-deadline"))
	expectCode(t, err, codes.DeadlineExceeded, "")
	_, err = c.Key(ctx(t), "codes-deadline", 1)
	expectCode(t, err, codes.NotFound, "KeyNotFound")
	// PERMISSION_DENIED, ABORTED and UNAVAILABLE are asserted in their own tests
}
