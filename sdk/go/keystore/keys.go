package keystore

import (
	"context"
	"time"

	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// KeySpec collects a CreateKey request.
type KeySpec struct{ r *pb.CreateKeyRequest }

// NewKey starts a request for a key of a tier and owner (AES-256, ACTIVE, generated id by default).
func NewKey(tier pb.KeyTier, owner *pb.Owner) *KeySpec {
	return &KeySpec{r: &pb.CreateKeyRequest{Tier: tier, Owner: owner, Tags: map[string]string{}}}
}

func (s *KeySpec) ID(id string) *KeySpec         { s.r.KeyId = id; return s }
func (s *KeySpec) Parent(id string) *KeySpec     { s.r.ParentId = id; return s }
func (s *KeySpec) Tag(k, v string) *KeySpec      { s.r.Tags[k] = v; return s }
func (s *KeySpec) PreActive() *KeySpec           { s.r.InitialStatus = pb.KeyStatus_PRE_ACTIVE; return s }
func (s *KeySpec) Expires(t time.Time) *KeySpec  { s.r.ExpiresAt = timestamppb.New(t); return s }
func (s *KeySpec) WithMaterial() *KeySpec        { s.r.ReturnMaterial = true; return s }
func (s *KeySpec) Request() *pb.CreateKeyRequest { return s.r }

// CreateKey creates a key and returns its metadata.
func (c *Client) CreateKey(ctx context.Context, s *KeySpec) (*pb.KeyMetadata, error) {
	r, err := c.Keys.CreateKey(ctx, s.r)
	if err != nil {
		return nil, err
	}
	return r.GetMetadata(), nil
}

// Key returns the metadata of one version (0: the highest).
func (c *Client) Key(ctx context.Context, id string, version int32) (*pb.KeyMetadata, error) {
	r, err := c.Keys.GetKey(ctx, &pb.GetKeyRequest{Ref: Ref(id, version)})
	if err != nil {
		return nil, err
	}
	return r.GetMetadata(), nil
}

// ListAll pages through every key matching the filter that the reachable backends hold; use
// ListReachable to learn whether some backend could not be listed.
func (c *Client) ListAll(ctx context.Context, f *pb.KeyFilter) ([]*pb.KeyMetadata, error) {
	out, _, err := c.ListReachable(ctx, f)
	return out, err
}

// ListReachable pages through every key matching the filter and also returns the backends that
// could not be listed (down or sealed) on some page: their keys are missing from the result. An
// empty list means the result is complete.
func (c *Client) ListReachable(ctx context.Context, f *pb.KeyFilter) ([]*pb.KeyMetadata, []string, error) {
	var out []*pb.KeyMetadata
	var unavailable []string
	seen := map[string]bool{}
	for {
		r, err := c.Keys.ListKeys(ctx, &pb.KeyListRequest{Filter: f})
		if err != nil {
			return nil, nil, err
		}
		out = append(out, r.GetItems()...)
		for _, b := range r.GetUnavailableBackends() {
			if !seen[b] {
				seen[b] = true
				unavailable = append(unavailable, b)
			}
		}
		if r.GetNextCursor() == "" {
			return out, unavailable, nil
		}
		next := proto.Clone(f).(*pb.KeyFilter)
		next.Cursor = r.GetNextCursor()
		f = next
	}
}

// Encrypt encrypts under the key's active version; returns the ciphertext and that version.
func (c *Client) Encrypt(ctx context.Context, keyID string, plaintext, aad []byte) ([]byte, int32, error) {
	r, err := c.Keys.Encrypt(ctx, &pb.EncryptRequest{KeyId: keyID, Plaintext: plaintext, Aad: aad})
	if err != nil {
		return nil, 0, err
	}
	return r.GetCiphertext(), r.GetKeyVersion(), nil
}

// Decrypt reverses Encrypt.
func (c *Client) Decrypt(ctx context.Context, keyID string, ciphertext, aad []byte) ([]byte, error) {
	r, err := c.Keys.Decrypt(ctx, &pb.DecryptRequest{KeyId: keyID, Ciphertext: ciphertext, Aad: aad})
	if err != nil {
		return nil, err
	}
	return r.GetPlaintext(), nil
}

// Rotate creates the next version of a key.
func (c *Client) Rotate(ctx context.Context, keyID string) (*pb.KeyMetadata, error) {
	r, err := c.Keys.RotateKey(ctx, &pb.RotateKeyRequest{KeyId: keyID})
	if err != nil {
		return nil, err
	}
	return r.GetMetadata(), nil
}

// ChangeStatus moves one version to another lifecycle state.
func (c *Client) ChangeStatus(ctx context.Context, id string, version int32, s pb.KeyStatus) (*pb.KeyMetadata, error) {
	r, err := c.Keys.ChangeKeyStatus(ctx, &pb.ChangeKeyStatusRequest{Ref: Ref(id, version), Status: s})
	if err != nil {
		return nil, err
	}
	return r.GetMetadata(), nil
}

// Update replaces the tags and expiry (nil: none) of one version.
func (c *Client) Update(ctx context.Context, id string, version int32, tags map[string]string, expires *time.Time) (*pb.KeyMetadata, error) {
	req := &pb.UpdateKeyRequest{Ref: Ref(id, version), Tags: tags}
	if expires != nil {
		req.ExpiresAt = timestamppb.New(*expires)
	}
	r, err := c.Keys.UpdateKey(ctx, req)
	if err != nil {
		return nil, err
	}
	return r.GetMetadata(), nil
}

// Destroy crypto-shreds every version of a key.
func (c *Client) Destroy(ctx context.Context, keyID string, cascade bool) error {
	_, err := c.Keys.DestroyKey(ctx, &pb.DestroyKeyRequest{KeyId: keyID, Cascade: cascade})
	return err
}

// Export returns the plaintext material of an L4 version (only to clients granted KeyService/ExportKey).
func (c *Client) Export(ctx context.Context, id string, version int32) ([]byte, error) {
	r, err := c.Keys.ExportKey(ctx, &pb.ExportKeyRequest{Ref: Ref(id, version)})
	if err != nil {
		return nil, err
	}
	return r.GetMaterial(), nil
}
