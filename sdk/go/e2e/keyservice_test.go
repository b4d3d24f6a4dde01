package e2e

import (
	"bytes"
	"testing"
	"time"

	"github.com/openkcm/keystore/sdk/go/keystore"
	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	"google.golang.org/grpc/codes"
)

// hierarchy creates an L2 (tenant:acme), an L3 under it (service:acme-billing) and an L4 under that.
func hierarchy(t *testing.T, c *keystore.Client, prefix string) (l2, l3, l4 *pb.KeyMetadata, material []byte) {
	t.Helper()
	var err error
	l2, err = c.CreateKey(ctx(t), keystore.NewKey(pb.KeyTier_L2, keystore.Tenant("acme")).ID(prefix+"-l2"))
	if err != nil {
		t.Fatalf("create L2: %v", err)
	}
	l3, err = c.CreateKey(ctx(t), keystore.NewKey(pb.KeyTier_L3, keystore.Service("acme-billing")).ID(prefix+"-l3").Parent(l2.GetId()))
	if err != nil {
		t.Fatalf("create L3: %v", err)
	}
	r, err := c.Keys.CreateKey(ctx(t), keystore.NewKey(pb.KeyTier_L4, keystore.Service("acme-billing")).ID(prefix+"-l4").
		Parent(l3.GetId()).Tag("purpose", "e2e").WithMaterial().Request())
	if err != nil {
		t.Fatalf("create L4: %v", err)
	}
	return l2, l3, r.GetMetadata(), r.GetMaterial()
}

func TestKeyServiceCreateGetListAllTiers(t *testing.T) {
	c := rt.client(t, "app")
	l2, l3, l4, material := hierarchy(t, c, "ks-create")
	if l2.GetTier() != pb.KeyTier_L2 || l3.GetParent().GetId() != l2.GetId() || l4.GetParent().GetId() != l3.GetId() {
		t.Fatalf("hierarchy not as created: %v / %v / %v", l2, l3, l4)
	}
	if len(material) != 32 {
		t.Fatalf("L4 material: want 32 bytes (AES-256), got %d", len(material))
	}
	got, err := c.Key(ctx(t), l4.GetId(), 1)
	if err != nil || got.GetTags()["purpose"] != "e2e" || got.GetStatus() != pb.KeyStatus_ACTIVE {
		t.Fatalf("GetKey v1: %v %v", got, err)
	}
	latest, err := c.Key(ctx(t), l4.GetId(), 0)
	if err != nil || latest.GetVersion() != 1 {
		t.Fatalf("GetKey latest: %v %v", latest, err)
	}
	for i := 0; i < 3; i++ {
		if _, err := c.CreateKey(ctx(t), keystore.NewKey(pb.KeyTier_L4, keystore.Service("acme-billing")).Parent(l3.GetId()).Tag("batch", "list")); err != nil {
			t.Fatalf("create L4 %d: %v", i, err)
		}
	}
	all, err := c.ListAll(ctx(t), &pb.KeyFilter{Tier: pb.KeyTier_L4, Tags: map[string]string{"batch": "list"}, PageSize: 1})
	if err != nil || len(all) != 3 {
		t.Fatalf("ListKeys by cursor, page size 1: want 3 keys, got %d (%v)", len(all), err)
	}
	first, err := c.Keys.ListKeys(ctx(t), &pb.KeyListRequest{Filter: &pb.KeyFilter{Tier: pb.KeyTier_L4, Tags: map[string]string{"batch": "list"}, PageSize: 1}})
	if err != nil || len(first.GetItems()) != 1 || first.GetNextCursor() == "" {
		t.Fatalf("first page: %v %v", first, err)
	}
}

func TestKeyServiceEncryptDecryptRotateStatusUpdateDestroyExport(t *testing.T) {
	c := rt.client(t, "app")
	_, l3, l4, material := hierarchy(t, c, "ks-crypto")
	payload := bytes.Repeat([]byte{0x5a}, 1024)
	ct, v, err := c.Encrypt(ctx(t), l4.GetId(), payload, []byte("aad"))
	if err != nil || v != 1 || bytes.Contains(ct, payload[:64]) {
		t.Fatalf("Encrypt: version %d err %v", v, err)
	}
	pt, err := c.Decrypt(ctx(t), l4.GetId(), ct, []byte("aad"))
	if err != nil || !bytes.Equal(pt, payload) {
		t.Fatalf("Decrypt round trip: %v", err)
	}

	rotated, err := c.Rotate(ctx(t), l4.GetId())
	if err != nil || rotated.GetVersion() != 2 || rotated.GetStatus() != pb.KeyStatus_ACTIVE {
		t.Fatalf("RotateKey: %v %v", rotated, err)
	}
	ct2, v2, err := c.Encrypt(ctx(t), l4.GetId(), payload, nil)
	if err != nil || v2 != 2 {
		t.Fatalf("Encrypt after rotation uses v2: %d %v", v2, err)
	}
	if pt, err := c.Decrypt(ctx(t), l4.GetId(), ct, []byte("aad")); err != nil || !bytes.Equal(pt, payload) {
		t.Fatalf("v1 ciphertext still decrypts after rotation: %v", err)
	}
	if _, err := c.Decrypt(ctx(t), l4.GetId(), ct2, nil); err != nil {
		t.Fatalf("v2 decrypt: %v", err)
	}
	if old, _ := c.Key(ctx(t), l4.GetId(), 1); old.GetStatus() != pb.KeyStatus_DEPRECATED {
		t.Fatalf("v1 after rotation: want DEPRECATED, got %v", old.GetStatus())
	}

	susp, err := c.ChangeStatus(ctx(t), l4.GetId(), 2, pb.KeyStatus_SUSPENDED)
	if err != nil || susp.GetStatus() != pb.KeyStatus_SUSPENDED {
		t.Fatalf("ChangeKeyStatus to SUSPENDED: %v %v", susp, err)
	}
	if back, err := c.ChangeStatus(ctx(t), l4.GetId(), 2, pb.KeyStatus_ACTIVE); err != nil || back.GetStatus() != pb.KeyStatus_ACTIVE {
		t.Fatalf("ChangeKeyStatus back to ACTIVE: %v %v", back, err)
	}

	expires := time.Now().Add(48 * time.Hour).Truncate(time.Second)
	upd, err := c.Update(ctx(t), l4.GetId(), 2, map[string]string{"team": "payments"}, &expires)
	if err != nil || upd.GetTags()["team"] != "payments" || !upd.GetExpiresAt().AsTime().Equal(expires) {
		t.Fatalf("UpdateKey: %v %v", upd, err)
	}

	exported, err := c.Export(ctx(t), l4.GetId(), 1)
	if err != nil || !bytes.Equal(exported, material) {
		t.Fatalf("ExportKey of L4 v1 equals the material returned at create: %v", err)
	}
	_, err = c.Export(ctx(t), l3.GetId(), 1)
	expectCode(t, err, codes.PermissionDenied, "PermissionDenied")

	if err := c.Destroy(ctx(t), l4.GetId(), false); err != nil {
		t.Fatalf("DestroyKey: %v", err)
	}
	_, _, err = c.Encrypt(ctx(t), l4.GetId(), payload, nil)
	if err == nil {
		t.Fatalf("Encrypt with a destroyed key succeeded")
	}
	if m, err := c.Key(ctx(t), l4.GetId(), 1); err == nil && m.GetStatus() != pb.KeyStatus_DESTROYED {
		t.Fatalf("destroyed key still %v", m.GetStatus())
	}
}

func expectCode(t *testing.T, err error, code codes.Code, reason string) keystore.ErrorInfo {
	t.Helper()
	e := keystore.Explain(err)
	if err == nil || e.Code != code || (reason != "" && e.Reason != reason) {
		t.Fatalf("want %v/%s, got %v (reason %q, message %q)", code, reason, e.Code, e.Reason, e.Message)
	}
	return e
}
