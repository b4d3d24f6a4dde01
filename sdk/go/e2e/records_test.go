package e2e

import (
	"bytes"
	"testing"

	"github.com/openkcm/keystore/sdk/go/keystore"
	pb "github.com/openkcm/keystore/sdk/go/keystorepb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func sealedRecord(id string, owner *pb.Owner) *pb.StoreKeyRequest {
	now := timestamppb.Now()
	return &pb.StoreKeyRequest{
		Metadata: &pb.KeyMetadata{Id: id, Version: 1, Tier: pb.KeyTier_L2, Algorithm: "AES", KeySize: 256,
			Status: pb.KeyStatus_ACTIVE, CreatedAt: now, UpdatedAt: now, Owner: owner, Tags: map[string]string{"origin": "go"}},
		Sealed: bytes.Repeat([]byte{0xA7}, 96),
	}
}

func TestKeystoreOperationsEveryRpc(t *testing.T) {
	c := rt.client(t, "app")
	req := sealedRecord("rec-ops-1", keystore.Tenant("acme"))
	stored, err := c.Records.StoreKey(ctx(t), req)
	if err != nil || stored.GetRevision() == 0 {
		t.Fatalf("StoreKey: %v %v", stored, err)
	}
	_, err = c.Records.StoreKey(ctx(t), req)
	expectCode(t, err, codes.AlreadyExists, "KeyAlreadyExists")

	got, err := c.Records.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: keystore.Ref("rec-ops-1", 1)})
	if err != nil || !bytes.Equal(got.GetRecord().GetSealed(), req.GetSealed()) || got.GetRecord().GetRevision() != stored.GetRevision() {
		t.Fatalf("RetrieveKey returns the stored sealed bytes and revision: %v", err)
	}

	md := got.GetRecord().GetMetadata()
	md.Status = pb.KeyStatus_DEPRECATED
	md.UpdatedAt = timestamppb.Now()
	upd, err := c.Records.UpdateKeyMetadata(ctx(t), &pb.UpdateKeyMetadataRequest{Metadata: md, ExpectedRevision: stored.GetRevision()})
	if err != nil || upd.GetRevision() == stored.GetRevision() {
		t.Fatalf("UpdateKeyMetadata: %v %v", upd, err)
	}
	// a writer holding the old revision loses: ABORTED, and the record keeps the winner's state
	_, err = c.Records.UpdateKeyMetadata(ctx(t), &pb.UpdateKeyMetadataRequest{Metadata: md, ExpectedRevision: stored.GetRevision()})
	expectCode(t, err, codes.Aborted, "ConcurrentUpdate")
	after, _ := c.Records.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: keystore.Ref("rec-ops-1", 1)})
	if after.GetRecord().GetRevision() != upd.GetRevision() || after.GetRecord().GetMetadata().GetStatus() != pb.KeyStatus_DEPRECATED {
		t.Fatalf("record after the conflict: %v", after.GetRecord().GetMetadata())
	}

	list, err := c.Records.ListKeys(ctx(t), &pb.ListKeysRequest{Filter: &pb.KeyFilter{IdPrefix: "rec-ops-", Tags: map[string]string{"origin": "go"}}})
	if err != nil || len(list.GetItems()) != 1 || list.GetItems()[0].GetId() != "rec-ops-1" {
		t.Fatalf("ListKeys: %v %v", list, err)
	}

	health, err := c.Records.Health(ctx(t), &pb.HealthRequest{})
	if err != nil || health.GetState() != pb.BackendState_UP {
		t.Fatalf("Health: %v %v", health, err)
	}
	info, err := c.Records.Info(ctx(t), &pb.InfoRequest{})
	if err != nil || info.GetName() != "routed" || info.GetMaxRecordBytes() <= 0 {
		t.Fatalf("Info: %v %v", info, err)
	}

	del, err := c.Records.DeleteKey(ctx(t), &pb.DeleteKeyRequest{Ref: keystore.Ref("rec-ops-1", 1)})
	if err != nil || !del.GetExisted() {
		t.Fatalf("DeleteKey: %v %v", del, err)
	}
	again, err := c.Records.DeleteKey(ctx(t), &pb.DeleteKeyRequest{Ref: keystore.Ref("rec-ops-1", 1)})
	if err != nil || again.GetExisted() {
		t.Fatalf("DeleteKey is idempotent: %v %v", again, err)
	}
	_, err = c.Records.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: keystore.Ref("rec-ops-1", 1)})
	expectCode(t, err, codes.NotFound, "KeyNotFound")
}

func TestKeystoreOperationsHideOtherOwners(t *testing.T) {
	app, other := rt.client(t, "app"), rt.client(t, "other")
	if _, err := app.Records.StoreKey(ctx(t), sealedRecord("rec-hidden-1", keystore.Tenant("acme"))); err != nil {
		t.Fatalf("StoreKey: %v", err)
	}
	_, hidden := other.Records.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: keystore.Ref("rec-hidden-1", 1)})
	_, missing := other.Records.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: keystore.Ref("rec-never-was", 1)})
	sameAnswer(t, hidden, missing)
	del, err := other.Records.DeleteKey(ctx(t), &pb.DeleteKeyRequest{Ref: keystore.Ref("rec-hidden-1", 1)})
	if err != nil || del.GetExisted() {
		t.Fatalf("another owner's delete: %v %v", del, err)
	}
	if _, err := app.Records.RetrieveKey(ctx(t), &pb.RetrieveKeyRequest{Ref: keystore.Ref("rec-hidden-1", 1)}); err != nil {
		t.Fatalf("the record survives another owner's delete: %v", err)
	}
	foreign := sealedRecord("rec-hidden-1", keystore.Tenant("acme")).GetMetadata()
	_, hidden = other.Records.UpdateKeyMetadata(ctx(t), &pb.UpdateKeyMetadataRequest{Metadata: foreign, ExpectedRevision: 1})
	_, missing = other.Records.UpdateKeyMetadata(ctx(t), &pb.UpdateKeyMetadataRequest{Metadata: sealedRecord("rec-never-was", keystore.Tenant("other")).GetMetadata(), ExpectedRevision: 1})
	sameAnswer(t, hidden, missing)
	moved := sealedRecord("rec-hidden-1", keystore.Tenant("other")).GetMetadata()
	_, err = app.Records.UpdateKeyMetadata(ctx(t), &pb.UpdateKeyMetadataRequest{Metadata: moved, ExpectedRevision: 1})
	expectCode(t, err, codes.PermissionDenied, "PermissionDenied")
	_, err = other.Records.StoreKey(ctx(t), sealedRecord("rec-foreign", keystore.Tenant("acme")))
	expectCode(t, err, codes.PermissionDenied, "PermissionDenied")
	list, err := other.Records.ListKeys(ctx(t), &pb.ListKeysRequest{Filter: &pb.KeyFilter{IdPrefix: "rec-hidden-"}})
	if err != nil || len(list.GetItems()) != 0 {
		t.Fatalf("another owner lists nothing: %v %v", list, err)
	}
}
