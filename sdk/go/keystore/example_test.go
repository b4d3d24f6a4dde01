package keystore_test

import (
	"context"
	"log"
	"time"

	"github.com/openkcm/keystore/sdk/go/keystore"
	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	"google.golang.org/grpc/codes"
)

// The README's example (compiled by go vet and go test; it needs a running runtime, so it has no Output).
func Example() {
	c, err := keystore.Dial("127.0.0.1:9443", keystore.MutualTLS{
		CA: "/tmp/openkcm-certs/ca.pem", Cert: "/tmp/openkcm-certs/app.pem", Key: "/tmp/openkcm-certs/app-key.pem"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	l2, _ := c.CreateKey(ctx, keystore.NewKey(pb.KeyTier_L2, keystore.Tenant("acme")))
	l3, _ := c.CreateKey(ctx, keystore.NewKey(pb.KeyTier_L3, keystore.Service("acme-billing")).Parent(l2.GetId()))
	l4, _ := c.CreateKey(ctx, keystore.NewKey(pb.KeyTier_L4, keystore.Service("acme-billing")).Parent(l3.GetId()))
	ct, _, err := c.Encrypt(ctx, l4.GetId(), []byte("card 4111..."), []byte("order-42"))
	if e := keystore.Explain(err); e.Code == codes.Unavailable {
		time.Sleep(e.RetryDelay) // sealed or being swapped: retry later
	}
	pt, err := c.Decrypt(ctx, l4.GetId(), ct, []byte("order-42"))
	_, _ = pt, err
}
