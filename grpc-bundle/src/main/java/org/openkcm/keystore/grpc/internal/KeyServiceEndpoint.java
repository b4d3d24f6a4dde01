package org.openkcm.keystore.grpc.internal;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;
import org.openkcm.keystore.api.KeyHandle;
import org.openkcm.keystore.api.KeyService;
import org.openkcm.keystore.model.KeyMetadata;
import org.openkcm.keystore.model.KeyRef;
import org.openkcm.keystore.model.KeyTier;
import org.openkcm.keystore.model.KeystoreException;
import org.openkcm.keystore.model.Owner;
import org.openkcm.keystore.proto.v1.ChangeKeyStatusRequest;
import org.openkcm.keystore.proto.v1.ChangeKeyStatusResponse;
import org.openkcm.keystore.proto.v1.CreateKeyRequest;
import org.openkcm.keystore.proto.v1.CreateKeyResponse;
import org.openkcm.keystore.proto.v1.DecryptRequest;
import org.openkcm.keystore.proto.v1.DecryptResponse;
import org.openkcm.keystore.proto.v1.DestroyKeyRequest;
import org.openkcm.keystore.proto.v1.DestroyKeyResponse;
import org.openkcm.keystore.proto.v1.EncryptRequest;
import org.openkcm.keystore.proto.v1.EncryptResponse;
import org.openkcm.keystore.proto.v1.ExportKeyRequest;
import org.openkcm.keystore.proto.v1.ExportKeyResponse;
import org.openkcm.keystore.proto.v1.GetKeyRequest;
import org.openkcm.keystore.proto.v1.GetKeyResponse;
import org.openkcm.keystore.proto.v1.KeyListRequest;
import org.openkcm.keystore.proto.v1.KeyListResponse;
import org.openkcm.keystore.proto.v1.KeyServiceGrpc;
import org.openkcm.keystore.proto.v1.RotateKeyRequest;
import org.openkcm.keystore.proto.v1.RotateKeyResponse;
import org.openkcm.keystore.proto.v1.UpdateKeyRequest;
import org.openkcm.keystore.proto.v1.UpdateKeyResponse;

/**
 * {@code openkcm.keystore.v1.KeyService} over the crypto core. Every key-addressed call checks the
 * owner first.
 */
final class KeyServiceEndpoint extends KeyServiceGrpc.KeyServiceImplBase {
  private final KeyService keys;
  private final Calls calls;
  private final OwnerChecks owners;
  private final Listings listings;
  private final StatusMapper errors;

  KeyServiceEndpoint(
      KeyService keys, Calls calls, OwnerChecks owners, Listings listings, StatusMapper errors) {
    this.keys = keys;
    this.calls = calls;
    this.owners = owners;
    this.listings = listings;
    this.errors = errors;
  }

  @Override
  public void createKey(CreateKeyRequest r, StreamObserver<CreateKeyResponse> out) {
    calls.unary(
        "CreateKey",
        out,
        g -> {
          Owner owner = ProtoModel.owner("owner", r.getOwner());
          KeyTier tier = ProtoModel.tier("tier", r.getTier());
          if (!g.owns(owner)) {
            throw errors.denied("this client may not create keys of owner " + owner);
          }
          if (r.getReturnMaterial() && (tier != KeyTier.L4 || !g.mayCall(ClientGrant.EXPORT))) {
            throw errors.denied(
                "key material is returned only for L4 keys and only to clients granted "
                    + ClientGrant.EXPORT);
          }
          if (!r.getParentId().isEmpty()) {
            owners.visible(g, r.getParentId());
          }
          KeyMetadata m = keys.create(request(r, tier, owner));
          CreateKeyResponse.Builder b =
              CreateKeyResponse.newBuilder().setMetadata(ProtoModel.metadata(m));
          if (r.getReturnMaterial()) {
            b.setMaterial(material(m.ref()));
          }
          return b.build();
        });
  }

  @Override
  public void getKey(GetKeyRequest r, StreamObserver<GetKeyResponse> out) {
    calls.unary(
        "GetKey",
        out,
        g -> {
          KeyMetadata m =
              r.getRef().getVersion() == 0
                  ? owners.latest(g, r.getRef().getId())
                  : owners.visible(g, ProtoModel.ref("ref", r.getRef()));
          return GetKeyResponse.newBuilder().setMetadata(ProtoModel.metadata(m)).build();
        });
  }

  @Override
  public void listKeys(KeyListRequest r, StreamObserver<KeyListResponse> out) {
    calls.unary(
        "ListKeys",
        out,
        g -> {
          Listings.Visible page = listings.list(g, ProtoModel.filter(r.getFilter()));
          return KeyListResponse.newBuilder()
              .addAllItems(page.items())
              .setNextCursor(page.nextCursor())
              .addAllUnavailableBackends(page.unavailableBackends())
              .build();
        });
  }

  @Override
  public void encrypt(EncryptRequest r, StreamObserver<EncryptResponse> out) {
    calls.unary(
        "Encrypt",
        out,
        g -> {
          owners.visible(g, r.getKeyId());
          byte[] ct =
              keys.encrypt(r.getKeyId(), r.getPlaintext().toByteArray(), r.getAad().toByteArray());
          return EncryptResponse.newBuilder()
              .setCiphertext(ByteString.copyFrom(ct))
              .setKeyVersion(versionOf(ct))
              .build();
        });
  }

  @Override
  public void decrypt(DecryptRequest r, StreamObserver<DecryptResponse> out) {
    calls.unary(
        "Decrypt",
        out,
        g -> {
          owners.visible(g, r.getKeyId());
          byte[] pt =
              keys.decrypt(r.getKeyId(), r.getCiphertext().toByteArray(), r.getAad().toByteArray());
          try {
            return DecryptResponse.newBuilder().setPlaintext(ByteString.copyFrom(pt)).build();
          } finally {
            Arrays.fill(pt, (byte) 0);
          }
        });
  }

  @Override
  public void rotateKey(RotateKeyRequest r, StreamObserver<RotateKeyResponse> out) {
    calls.unary(
        "RotateKey",
        out,
        g -> {
          owners.visible(g, r.getKeyId());
          return RotateKeyResponse.newBuilder()
              .setMetadata(ProtoModel.metadata(keys.rotate(r.getKeyId())))
              .build();
        });
  }

  @Override
  public void changeKeyStatus(
      ChangeKeyStatusRequest r, StreamObserver<ChangeKeyStatusResponse> out) {
    calls.unary(
        "ChangeKeyStatus",
        out,
        g -> {
          KeyRef ref = ProtoModel.ref("ref", r.getRef());
          owners.visible(g, ref);
          KeyMetadata m = keys.changeStatus(ref, ProtoModel.status("status", r.getStatus()));
          return ChangeKeyStatusResponse.newBuilder().setMetadata(ProtoModel.metadata(m)).build();
        });
  }

  @Override
  public void updateKey(UpdateKeyRequest r, StreamObserver<UpdateKeyResponse> out) {
    calls.unary(
        "UpdateKey",
        out,
        g -> {
          KeyRef ref = ProtoModel.ref("ref", r.getRef());
          owners.visible(g, ref);
          KeyMetadata m =
              keys.updateMetadata(
                  ref,
                  r.getTagsMap(),
                  r.hasExpiresAt() ? ProtoModel.instant(r.getExpiresAt()) : null);
          return UpdateKeyResponse.newBuilder().setMetadata(ProtoModel.metadata(m)).build();
        });
  }

  @Override
  public void destroyKey(DestroyKeyRequest r, StreamObserver<DestroyKeyResponse> out) {
    calls.unary(
        "DestroyKey",
        out,
        g -> {
          owners.visible(g, r.getKeyId());
          keys.destroy(r.getKeyId(), r.getCascade());
          return DestroyKeyResponse.getDefaultInstance();
        });
  }

  @Override
  public void exportKey(ExportKeyRequest r, StreamObserver<ExportKeyResponse> out) {
    calls.unary(
        "ExportKey",
        out,
        g -> {
          KeyMetadata m = owners.visible(g, ProtoModel.ref("ref", r.getRef()));
          if (m.tier() != KeyTier.L4) {
            throw errors.denied("key material leaves the runtime only for L4 keys");
          }
          return ExportKeyResponse.newBuilder()
              .setMetadata(ProtoModel.metadata(m))
              .setMaterial(material(m.ref()))
              .build();
        });
  }

  private ByteString material(KeyRef ref) throws KeystoreException {
    try (KeyHandle h = keys.open(ref)) {
      byte[] k = h.copyMaterial();
      try {
        return ByteString.copyFrom(k);
      } finally {
        Arrays.fill(k, (byte) 0);
      }
    }
  }

  private static org.openkcm.keystore.api.CreateKeyRequest request(
      CreateKeyRequest r, KeyTier tier, Owner owner) throws KeystoreException {
    org.openkcm.keystore.api.CreateKeyRequest.Builder b =
        org.openkcm.keystore.api.CreateKeyRequest.builder(tier, owner);
    if (!r.getKeyId().isEmpty()) {
      b.keyId(r.getKeyId());
    }
    if (!r.getParentId().isEmpty()) {
      b.parentId(r.getParentId());
    }
    if (!r.getAlgorithm().isEmpty() || r.getKeySize() != 0) {
      b.algorithm(
          r.getAlgorithm().isEmpty() ? "AES" : r.getAlgorithm(),
          r.getKeySize() == 0 ? 256 : r.getKeySize());
    }
    if (r.getInitialStatus() != org.openkcm.keystore.proto.v1.KeyStatus.KEY_STATUS_UNSPECIFIED) {
      b.initialStatus(ProtoModel.status("initial_status", r.getInitialStatus()));
    }
    if (r.hasExpiresAt()) {
      b.expiresAt(ProtoModel.instant(r.getExpiresAt()));
    }
    r.getTagsMap().forEach(b::tag);
    return b.build();
  }

  /** The key version a ciphertext names: format byte, then the version as a big-endian int. */
  private static int versionOf(byte[] ct) {
    return ct.length < 5
        ? 0
        : (ct[1] & 0xFF) << 24 | (ct[2] & 0xFF) << 16 | (ct[3] & 0xFF) << 8 | ct[4] & 0xFF;
  }
}
